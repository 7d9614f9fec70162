//! `radacct` read incrementally: rows after the last `radacctid` seen, and
//! the still-open sessions again by their ids, both by primary key — never
//! a scan of a table that grows by millions of rows.

use headend_core::radius::database::Dialect;
use sqlx::any::AnyRow;

use crate::users::get;
use crate::{RadiusDb, RadiusDbError, query_error};

/// One `radacct` row: one session, as the router last reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcctRow {
    pub radacctid: i64,
    pub unique_id: String,
    pub session_id: String,
    pub username: String,
    pub nas_address: Option<String>,
    pub framed_address: Option<String>,
    /// The subscriber's MAC, as MikroTik sends it in Calling-Station-Id.
    pub caller: Option<String>,
    /// Unix seconds.
    pub started: Option<i64>,
    pub updated: Option<i64>,
    pub stopped: Option<i64>,
    /// From the router's view: bytes the subscriber sent (input) and
    /// received (output).
    pub input_octets: Option<i64>,
    pub output_octets: Option<i64>,
    pub terminate_cause: Option<String>,
}

/// Ids per `IN (…)` list when re-reading open sessions.
const CHUNK: usize = 500;

impl RadiusDb {
    fn acct_select(&self) -> String {
        // PostgreSQL keeps addresses as `inet` and times with a zone;
        // MySQL as text and `datetime`. Both come back as text and seconds.
        let postgres = self.dialect() == Dialect::Postgres;
        let addr = |c: &str| if postgres { format!("host({c})") } else { c.to_owned() };
        let epoch = |c: &str| {
            if postgres {
                format!("CAST(EXTRACT(EPOCH FROM {c}) AS BIGINT)")
            } else {
                format!("CAST(UNIX_TIMESTAMP({c}) AS SIGNED)")
            }
        };
        format!(
            "SELECT CAST(radacctid AS {int}), acctuniqueid, acctsessionid, username, {nas}, {framed}, callingstationid, \
             {start}, {update}, {stop}, CAST(acctinputoctets AS {int}), CAST(acctoutputoctets AS {int}), \
             acctterminatecause FROM radacct",
            int = self.bigint(),
            nas = addr("nasipaddress"),
            framed = addr("framedipaddress"),
            start = epoch("acctstarttime"),
            update = epoch("acctupdatetime"),
            stop = epoch("acctstoptime"),
        )
    }

    /// Up to `limit` rows after `after`, in id order.
    pub async fn accounting_after(&self, after: i64, limit: i64) -> Result<Vec<AcctRow>, RadiusDbError> {
        let sql = format!(
            "{} WHERE radacctid > {} ORDER BY radacctid LIMIT {}",
            self.acct_select(),
            self.placeholder(1),
            self.placeholder(2)
        );
        let rows = sqlx::query(&sql)
            .bind(after)
            .bind(limit)
            .fetch_all(self.pool())
            .await
            .map_err(query_error("reading radacct"))?;
        rows.iter().map(acct_row).collect()
    }

    /// The rows of `ids` as they are now (sessions Headend saw open).
    pub async fn accounting_rows(&self, ids: &[i64]) -> Result<Vec<AcctRow>, RadiusDbError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            let sql = format!("{} WHERE radacctid IN ({})", self.acct_select(), self.placeholders(1, chunk.len()));
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            let rows = query.fetch_all(self.pool()).await.map_err(query_error("reading radacct"))?;
            for row in &rows {
                out.push(acct_row(row)?);
            }
        }
        Ok(out)
    }
}

fn text(row: &AnyRow, index: usize) -> Result<Option<String>, RadiusDbError> {
    // MySQL's schema keeps '' where PostgreSQL's keeps NULL.
    Ok(get::<Option<String>>(row, index, "radacct")?.filter(|s| !s.is_empty()))
}

fn acct_row(row: &AnyRow) -> Result<AcctRow, RadiusDbError> {
    let number = |i| get::<Option<i64>>(row, i, "radacct");
    Ok(AcctRow {
        radacctid: get(row, 0, "radacct")?,
        unique_id: get(row, 1, "radacct")?,
        session_id: get(row, 2, "radacct")?,
        username: text(row, 3)?.unwrap_or_default(),
        nas_address: text(row, 4)?,
        framed_address: text(row, 5)?,
        caller: text(row, 6)?,
        started: number(7)?,
        updated: number(8)?,
        stopped: number(9)?,
        input_octets: number(10)?,
        output_octets: number(11)?,
        terminate_cause: text(row, 12)?,
    })
}
