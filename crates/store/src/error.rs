use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {path}: {source}")]
    Open { path: PathBuf, source: sqlx::Error },
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{what} {value:?} already exists")]
    Duplicate { what: &'static str, value: String },
    #[error("a PPPoE user named {user:?} already exists on router {router:?}")]
    DuplicateUser { user: String, router: String },
    #[error("{what} is still used by {users}")]
    InUse { what: String, users: String },
    #[error("{0} does not exist")]
    NotFound(String),
    /// A value the database cannot take (said in full in the message).
    #[error("{0}")]
    Invalid(String),
    #[error("the database holds a {table} row that Headend cannot read ({detail}); was it edited by hand?")]
    Corrupt { table: &'static str, detail: String },
    #[error("cannot make the engine's lock file in {dir}: {source}")]
    EngineLock { dir: PathBuf, source: std::io::Error },
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
}
