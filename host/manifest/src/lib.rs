//! The Spin manifest model.
