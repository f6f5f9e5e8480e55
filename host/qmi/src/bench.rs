pub async fn run(_args: BenchArgs) -> anyhow::Result<()> { todo!() }
#[derive(clap::Args)] pub struct BenchArgs {}
