//! The instance gauges, kept by each store's resource limiter: wasmtime asks
//! it before creating or growing any linear memory (`memory_growing`, also
//! for a memory's initial size at instantiation), so the sum of what it
//! allowed, less what failed, is the instance's linear memory. The store
//! owns the limiter: when the store goes (the instance retired, idle,
//! trapped), its memory and its place in `qmi_instances_live` go with it.

use std::sync::Arc;

use wasmtime::{ResourceLimiter, StoreLimits};

use super::component::ComponentMetrics;

/// [`StoreLimits`] (which decide) plus, with metrics on, the accounting of
/// one instance.
pub struct MeteredLimits {
    limits: StoreLimits,
    gauge: Option<InstanceGauge>,
}

/// One live instance's share of its component's gauges.
struct InstanceGauge {
    component: Arc<ComponentMetrics>,
    /// Linear memory this instance holds, in bytes.
    memory: i64,
    /// The growth last allowed, taken back if it fails.
    pending: i64,
}

impl MeteredLimits {
    /// The limits of a new store, counted as a live instance of `component`
    /// when metrics are on.
    pub fn new(limits: StoreLimits, component: Option<&Arc<ComponentMetrics>>) -> Self {
        let gauge = component.map(|component| {
            component.instances_add(1);
            InstanceGauge {
                component: component.clone(),
                memory: 0,
                pending: 0,
            }
        });
        Self { limits, gauge }
    }
}

impl Drop for MeteredLimits {
    fn drop(&mut self) {
        if let Some(gauge) = &self.gauge {
            gauge.component.memory_add(-gauge.memory);
            gauge.component.instances_add(-1);
        }
    }
}

impl ResourceLimiter for MeteredLimits {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = self.limits.memory_growing(current, desired, maximum)?;
        if allowed && let Some(gauge) = &mut self.gauge {
            let grown = i64::try_from(desired.saturating_sub(current)).unwrap_or(i64::MAX);
            gauge.pending = grown;
            gauge.memory += grown;
            gauge.component.memory_add(grown);
        }
        Ok(allowed)
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        if let Some(gauge) = &mut self.gauge {
            let undone = std::mem::take(&mut gauge.pending);
            gauge.memory -= undone;
            gauge.component.memory_add(-undone);
        }
        self.limits.memory_grow_failed(error)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }

    fn table_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.limits.table_grow_failed(error)
    }

    fn instances(&self) -> usize {
        self.limits.instances()
    }

    fn tables(&self) -> usize {
        self.limits.tables()
    }

    fn memories(&self) -> usize {
        self.limits.memories()
    }
}

#[cfg(test)]
mod tests {
    use wasmtime::StoreLimitsBuilder;

    use super::*;

    #[test]
    fn memory_follows_growth_and_leaves_with_the_store() -> wasmtime::Result<()> {
        let component = Arc::new(ComponentMetrics::default());
        let limits = || StoreLimitsBuilder::new().memory_size(1 << 20).build();
        let mut a = MeteredLimits::new(limits(), Some(&component));
        let mut b = MeteredLimits::new(limits(), Some(&component));
        assert!(a.memory_growing(0, 65536, None)?);
        assert!(a.memory_growing(65536, 131072, None)?);
        assert!(b.memory_growing(0, 65536, None)?);
        // Past the cap: refused, nothing counted.
        assert!(!b.memory_growing(65536, 2 << 20, None)?);
        // Allowed, then failed: taken back.
        assert!(b.memory_growing(65536, 196608, None)?);
        b.memory_grow_failed(wasmtime::format_err!("no memory"))?;
        let s = component.snapshot();
        assert_eq!((s.instances, s.memory), (2, 196608));
        drop(a);
        let s = component.snapshot();
        assert_eq!((s.instances, s.memory), (1, 65536));
        drop(b);
        let s = component.snapshot();
        assert_eq!((s.instances, s.memory), (0, 0));
        Ok(())
    }

    #[test]
    fn without_metrics_nothing_is_counted() -> wasmtime::Result<()> {
        let mut limits = MeteredLimits::new(StoreLimitsBuilder::new().build(), None);
        assert!(limits.memory_growing(0, 65536, None)?);
        Ok(())
    }
}
