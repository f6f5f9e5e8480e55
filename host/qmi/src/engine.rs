//! The wasmtime engine as QMI runs it: pooling allocator, epoch interruption
//! for request deadlines, the component model with async, and compiled
//! components cached on disk by content hash.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result};
use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// How often the epoch advances: the granularity of request deadlines.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Limits that shape the engine.
#[derive(Clone, Debug)]
pub struct EngineLimits {
    /// Largest linear memory any instance may grow to, in bytes.
    pub max_instance_memory: usize,
    /// How many component instances may be alive at once.
    pub max_instances: u32,
}

impl Default for EngineLimits {
    fn default() -> Self {
        Self {
            max_instance_memory: 128 << 20,
            max_instances: 1000,
        }
    }
}

/// Builds the engine and starts the epoch ticker thread.
pub fn build(limits: &EngineLimits) -> Result<Engine> {
    let mut config = Config::new();
    config
        .wasm_component_model(true)
        .wasm_component_model_async(true)
        .epoch_interruption(true)
        .parallel_compilation(true);

    let mut pool = PoolingAllocationConfig::default();
    // A composed component (middleware + service + dependencies) holds a few
    // core instances and memories each.
    pool.total_component_instances(limits.max_instances)
        .total_core_instances(limits.max_instances * 8)
        .total_memories(limits.max_instances * 4)
        .total_tables(limits.max_instances * 8)
        .total_stacks(limits.max_instances)
        .max_memory_size(limits.max_instance_memory)
        .max_component_instance_size(1 << 20);
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));

    let engine = Engine::new(&config)
        .map_err(anyhow::Error::from)
        .context("configuring wasmtime")?;
    let ticker = engine.weak();
    std::thread::Builder::new()
        .name("qmi-epoch".into())
        .spawn(move || {
            while let Some(engine) = ticker.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })
        .context("starting the epoch ticker")?;
    Ok(engine)
}

/// Where compiled components are kept between runs.
pub fn default_cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("QMI_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("qmi").join("components")
}

/// Compiles component bytes, or loads the compiled artefact cached under the
/// hash of the bytes and of the engine's settings.
pub fn load_component(engine: &Engine, bytes: &[u8], cache: Option<&Path>) -> Result<Component> {
    let Some(cache) = cache else {
        return Component::new(engine, bytes)
            .map_err(anyhow::Error::from)
            .context("compiling component");
    };
    let mut hasher = Sha256::new();
    hasher.update(bytes);
    let mut compat = std::collections::hash_map::DefaultHasher::new();
    std::hash::Hash::hash(&engine.precompile_compatibility_hash(), &mut compat);
    hasher.update(std::hash::Hasher::finish(&compat).to_le_bytes());
    let key = hex::encode(&hasher.finalize()[..16]);
    let path = cache.join(format!("{key}.cwasm"));
    if path.exists() {
        // SAFETY: the file was written by `Component::serialize` of an engine
        // with the same compatibility hash (part of the key), into a cache
        // directory only this tool writes.
        match unsafe { Component::deserialize_file(engine, &path) } {
            Ok(component) => return Ok(component),
            Err(error) => {
                tracing::warn!(%error, path = %path.display(), "discarding unreadable compiled component")
            }
        }
    }
    let component = Component::new(engine, bytes)
        .map_err(anyhow::Error::from)
        .context("compiling component")?;
    if let Err(error) = store_compiled(&component, cache, &path) {
        tracing::warn!(%error, "could not cache the compiled component");
    }
    Ok(component)
}

fn store_compiled(component: &Component, cache: &Path, path: &Path) -> Result<()> {
    std::fs::create_dir_all(cache)?;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, component.serialize()?)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}
