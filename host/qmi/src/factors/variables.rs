//! `spin:variables@3.0.0`: a component reads the values of the variables it
//! declares, rendered from the application's variables at start-up.

use std::collections::HashMap;
use std::sync::Arc;

use wasmtime::component::{Accessor, HasData, Linker};

use super::bindings::spin::variables::variables::{self, Error};

/// The variables one component may read, already resolved.
#[derive(Clone, Debug, Default)]
pub struct ComponentVariables(Arc<HashMap<String, String>>);

impl ComponentVariables {
    /// Wraps resolved name → value pairs.
    pub fn new(values: HashMap<String, String>) -> Self {
        Self(Arc::new(values))
    }

    /// Spin's lookup rules: names are lowercase letters, digits and
    /// underscores, starting with a letter; a name the component did not
    /// declare is undefined.
    pub fn get(&self, name: &str) -> Result<String, Error> {
        let valid = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(Error::InvalidName(format!(
                "invalid variable name {name:?}: must be lowercase letters, digits and underscores"
            )));
        }
        self.0
            .get(name)
            .cloned()
            .ok_or_else(|| Error::Undefined(format!("no variable for {name:?}")))
    }
}

/// Marker type through which the interface is linked.
pub struct SpinVariables;

impl HasData for SpinVariables {
    type Data<'a> = &'a ComponentVariables;
}

impl variables::Host for &ComponentVariables {}

impl<T> variables::HostWithStore<T> for SpinVariables {
    async fn get(
        accessor: &Accessor<T, Self>,
        name: String,
    ) -> wasmtime::Result<Result<String, Error>> {
        Ok(accessor.with(|mut access| access.get().get(&name)))
    }
}

/// Adds `spin:variables` to a linker.
pub fn add_to_linker<T: Send + 'static>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> &ComponentVariables,
) -> wasmtime::Result<()> {
    variables::add_to_linker::<T, SpinVariables>(linker, get)
}
