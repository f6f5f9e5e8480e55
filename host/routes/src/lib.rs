//! HTTP routing.
