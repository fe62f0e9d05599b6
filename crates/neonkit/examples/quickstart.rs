//! The quickstart: project → branch → database → role → connection URI → clean-up.
//!
//! Runs against an embedded emulator by default, and against the real Neon API
//! when NEON_API_KEY is set:
//!
//!     cargo run -p neonkit --example quickstart
//!     NEON_API_KEY=… cargo run -p neonkit --example quickstart

use neonkit::models::*;
use neonkit::operations::GetConnectionUriQuery;
use neonkit::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Without a key, start the local emulator and talk to it instead.
    let (client, _emulator) = match std::env::var("NEON_API_KEY") {
        Ok(_) => (Client::from_env()?, None),
        Err(_) => {
            let emu = neonkit_emulator::Emulator::start(Default::default()).await?;
            println!("no NEON_API_KEY: using the local emulator at {}", emu.base_url());
            let client = Client::builder().api_key(emu.api_key()).base_url(emu.base_url()).build()?;
            (client, Some(emu))
        }
    };

    // Each mutating call waits for the operations it starts before returning.
    let created = client
        .projects()
        .create(&ProjectCreateRequest {
            project: ProjectCreateRequestProject { name: Some("neonkit-quickstart".into()), ..Default::default() },
            ..Default::default()
        })
        .await?;
    let project_id = created.project.id.clone();
    println!("created project {project_id} with default branch {}", created.branch.id);

    let result = async {
        let branch = client
            .branches()
            .create(
                &project_id,
                Some(&CreateProjectBranchRequest {
                    branch: Some(CreateProjectBranchRequestBranch { name: Some("dev".into()), ..Default::default() }),
                    endpoints: Some(vec![BranchCreateRequestEndpointOptions { r#type: EndpointType::ReadWrite, ..Default::default() }]),
                    ..Default::default()
                }),
            )
            .await?;
        let branch_id = branch.branch.id.clone();
        println!("created branch {} ({branch_id})", branch.branch.name);

        let role = client
            .roles()
            .create(
                &project_id,
                &branch_id,
                &RoleCreateRequest { role: RoleCreateRequestRole { name: "app".into(), ..Default::default() }, ..Default::default() },
            )
            .await?;
        println!("created role {} (its password is hidden from Debug: {:?})", role.role.name, role.role);

        client
            .databases()
            .create(
                &project_id,
                &branch_id,
                &DatabaseCreateRequest {
                    database: DatabaseCreateRequestDatabase { name: "appdb".into(), owner_name: "app".into(), ..Default::default() },
                    ..Default::default()
                },
            )
            .await?;
        println!("created database appdb owned by app");

        let uri = client
            .projects()
            .get_connection_uri(
                &project_id,
                &GetConnectionUriQuery {
                    branch_id: Some(branch_id.clone()),
                    database_name: "appdb".into(),
                    role_name: "app".into(),
                    pooled: Some(true),
                    ..Default::default()
                },
            )
            .await?;
        let host = uri.uri.split('@').nth(1).unwrap_or("?").split('/').next().unwrap_or("?");
        println!("pooled connection URI points at {host} (the full URI holds the password; print it only where that is safe)");
        Ok::<_, neonkit::Error>(())
    }
    .await;

    client.projects().delete(&project_id).await?;
    println!("deleted project {project_id}");
    result?;
    Ok(())
}
