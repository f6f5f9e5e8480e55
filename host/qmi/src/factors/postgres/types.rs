//! Values between the guest and PostgreSQL, mapped as Spin's outbound-pg
//! factor maps them: each column's PostgreSQL type picks the guest's
//! `db-value` case, each guest `parameter-value` is bound as the Rust type
//! `postgres-types` accepts for it (so an `int64` parameter needs a `bigint`
//! column, as in Spin). Date-times go through a naive date-time, as in Spin:
//! `timestamptz` does not convert (TOOLCHAIN.md, trap 1).

use std::error::Error as StdError;

use bytes::BytesMut;
use chrono::{Datelike as _, NaiveDate, NaiveDateTime, NaiveTime, Timelike as _};
use postgres_range::{BoundSided, BoundType, Range, RangeBound};
use tokio_postgres::Row;
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

use crate::factors::bindings::spin::postgres::postgres::{
    DbDataType, DbValue, Interval, ParameterValue, RangeBoundKind,
};

type BoxError = Box<dyn StdError + Sync + Send>;

/// The guest's name for a column's type.
pub fn data_type(ty: &Type) -> DbDataType {
    match *ty {
        Type::BOOL => DbDataType::Boolean,
        Type::BYTEA => DbDataType::Binary,
        Type::FLOAT4 => DbDataType::Floating32,
        Type::FLOAT8 => DbDataType::Floating64,
        Type::INT2 => DbDataType::Int16,
        Type::INT4 => DbDataType::Int32,
        Type::INT8 => DbDataType::Int64,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR => DbDataType::Str,
        Type::TIMESTAMP | Type::TIMESTAMPTZ => DbDataType::Datetime,
        Type::DATE => DbDataType::Date,
        Type::TIME => DbDataType::Time,
        Type::UUID => DbDataType::Uuid,
        Type::JSONB => DbDataType::Jsonb,
        Type::NUMERIC => DbDataType::Decimal,
        Type::INT4_RANGE => DbDataType::RangeInt32,
        Type::INT8_RANGE => DbDataType::RangeInt64,
        Type::NUM_RANGE => DbDataType::RangeDecimal,
        Type::INT4_ARRAY => DbDataType::ArrayInt32,
        Type::INT8_ARRAY => DbDataType::ArrayInt64,
        Type::NUMERIC_ARRAY => DbDataType::ArrayDecimal,
        Type::TEXT_ARRAY | Type::VARCHAR_ARRAY | Type::BPCHAR_ARRAY => DbDataType::ArrayStr,
        Type::INTERVAL => DbDataType::Interval,
        ref other => DbDataType::Other(other.name().to_owned()),
    }
}

/// Reads column `i` of `row` as `T`, NULL as `db-null`.
fn read<'a, T: FromSql<'a>>(
    row: &'a Row,
    i: usize,
    wrap: impl FnOnce(T) -> Result<DbValue, BoxError>,
) -> Result<DbValue, BoxError> {
    match row.try_get::<_, Option<T>>(i)? {
        Some(value) => wrap(value),
        None => Ok(DbValue::DbNull),
    }
}

/// Column `i` of `row` as the guest sees it.
pub fn value(row: &Row, i: usize) -> Result<DbValue, BoxError> {
    let ty = row.columns()[i].type_().clone();
    match ty {
        Type::BOOL => read(row, i, |v| Ok(DbValue::Boolean(v))),
        Type::BYTEA => read(row, i, |v| Ok(DbValue::Binary(v))),
        Type::FLOAT4 => read(row, i, |v| Ok(DbValue::Floating32(v))),
        Type::FLOAT8 => read(row, i, |v| Ok(DbValue::Floating64(v))),
        Type::INT2 => read(row, i, |v| Ok(DbValue::Int16(v))),
        Type::INT4 => read(row, i, |v| Ok(DbValue::Int32(v))),
        Type::INT8 => read(row, i, |v| Ok(DbValue::Int64(v))),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR => read(row, i, |v| Ok(DbValue::Str(v))),
        Type::TIMESTAMP | Type::TIMESTAMPTZ => read(row, i, |v: NaiveDateTime| {
            Ok(DbValue::Datetime(datetime_out(v)?))
        }),
        Type::DATE => read(row, i, |v: NaiveDate| Ok(DbValue::Date(date_out(v)?))),
        Type::TIME => read(row, i, |v: NaiveTime| Ok(DbValue::Time(time_out(v)?))),
        Type::UUID => read(row, i, |v: uuid::Uuid| Ok(DbValue::Uuid(v.to_string()))),
        Type::JSONB => read(row, i, |v: serde_json::Value| {
            Ok(DbValue::Jsonb(serde_json::to_vec(&v)?))
        }),
        Type::NUMERIC => read(row, i, |v: rust_decimal::Decimal| {
            Ok(DbValue::Decimal(v.to_string()))
        }),
        Type::INT4_RANGE => read(row, i, |v: Range<i32>| {
            Ok(DbValue::RangeInt32(range_out(v)))
        }),
        Type::INT8_RANGE => read(row, i, |v: Range<i64>| {
            Ok(DbValue::RangeInt64(range_out(v)))
        }),
        Type::INT4_ARRAY => read(row, i, |v| Ok(DbValue::ArrayInt32(v))),
        Type::INT8_ARRAY => read(row, i, |v| Ok(DbValue::ArrayInt64(v))),
        Type::NUMERIC_ARRAY => read(row, i, |v: Vec<Option<rust_decimal::Decimal>>| {
            Ok(DbValue::ArrayDecimal(
                v.into_iter().map(|d| d.map(|d| d.to_string())).collect(),
            ))
        }),
        Type::TEXT_ARRAY | Type::VARCHAR_ARRAY | Type::BPCHAR_ARRAY => {
            read(row, i, |v| Ok(DbValue::ArrayStr(v)))
        }
        Type::INTERVAL => read(row, i, |v: PgInterval| Ok(DbValue::Interval(v.0))),
        // Anything else (numeric ranges included) reaches the guest as its
        // raw wire bytes, as Spin's catch-all does.
        _ => read(row, i, |v: Raw| Ok(DbValue::Unsupported(v.0))),
    }
}

/// A guest parameter, ready to bind.
pub fn parameter(value: ParameterValue) -> Result<Box<dyn ToSql + Send + Sync>, BoxError> {
    Ok(match value {
        ParameterValue::Boolean(v) => Box::new(v),
        ParameterValue::Int8(v) => Box::new(v),
        ParameterValue::Int16(v) => Box::new(v),
        ParameterValue::Int32(v) => Box::new(v),
        ParameterValue::Int64(v) => Box::new(v),
        ParameterValue::Floating32(v) => Box::new(v),
        ParameterValue::Floating64(v) => Box::new(v),
        ParameterValue::Str(v) => Box::new(v),
        ParameterValue::Binary(v) => Box::new(v),
        ParameterValue::Date((y, m, d)) => {
            Box::new(NaiveDate::from_ymd_opt(y, m.into(), d.into()).ok_or("invalid date")?)
        }
        ParameterValue::Time((h, m, s, ns)) => Box::new(time_in(h, m, s, ns)?),
        ParameterValue::Datetime((y, mo, d, h, mi, s, ns)) => Box::new(NaiveDateTime::new(
            NaiveDate::from_ymd_opt(y, mo.into(), d.into()).ok_or("invalid date")?,
            time_in(h, mi, s, ns)?,
        )),
        ParameterValue::Timestamp(seconds) => Box::new(
            chrono::DateTime::<chrono::Utc>::from_timestamp(seconds, 0)
                .ok_or("timestamp out of range")?,
        ),
        ParameterValue::Uuid(v) => Box::new(uuid::Uuid::parse_str(&v)?),
        ParameterValue::Jsonb(v) => Box::new(serde_json::from_slice::<serde_json::Value>(&v)?),
        ParameterValue::Decimal(v) => Box::new(v.parse::<rust_decimal::Decimal>()?),
        ParameterValue::RangeInt32(v) => Box::new(range_in(v)),
        ParameterValue::RangeInt64(v) => Box::new(range_in(v)),
        ParameterValue::RangeDecimal(_) => {
            return Err("decimal range parameters are not supported by qmi".into());
        }
        ParameterValue::ArrayInt32(v) => Box::new(v),
        ParameterValue::ArrayInt64(v) => Box::new(v),
        ParameterValue::ArrayDecimal(v) => Box::new(
            v.into_iter()
                .map(|d| d.map(|d| d.parse::<rust_decimal::Decimal>()).transpose())
                .collect::<Result<Vec<_>, _>>()?,
        ),
        ParameterValue::ArrayStr(v) => Box::new(v),
        ParameterValue::Interval(v) => Box::new(PgInterval(v)),
        ParameterValue::DbNull => Box::new(Null),
    })
}

/// The approximate size of a value, against the host's buffering cap.
pub fn size(value: &DbValue) -> usize {
    std::mem::size_of::<DbValue>()
        + match value {
            DbValue::Str(s) | DbValue::Uuid(s) | DbValue::Decimal(s) => s.len(),
            DbValue::Binary(b) | DbValue::Jsonb(b) | DbValue::Unsupported(b) => b.len(),
            DbValue::ArrayStr(v) | DbValue::ArrayDecimal(v) => v
                .iter()
                .map(|s| s.as_ref().map_or(0, String::len) + 24)
                .sum(),
            DbValue::ArrayInt32(v) => v.len() * 8,
            DbValue::ArrayInt64(v) => v.len() * 16,
            _ => 0,
        }
}

fn time_in(h: u8, m: u8, s: u8, ns: u32) -> Result<NaiveTime, BoxError> {
    NaiveTime::from_hms_nano_opt(h.into(), m.into(), s.into(), ns)
        .ok_or_else(|| "invalid time".into())
}

fn date_out(v: NaiveDate) -> Result<(i32, u8, u8), BoxError> {
    Ok((v.year(), v.month().try_into()?, v.day().try_into()?))
}

fn time_out(v: NaiveTime) -> Result<(u8, u8, u8, u32), BoxError> {
    Ok((
        v.hour().try_into()?,
        v.minute().try_into()?,
        v.second().try_into()?,
        v.nanosecond(),
    ))
}

/// A date-time as the guest's tuple: year, month, day, hour, minute, second, nanosecond.
type WitDatetime = (i32, u8, u8, u8, u8, u8, u32);

fn datetime_out(v: NaiveDateTime) -> Result<WitDatetime, BoxError> {
    let (y, mo, d) = date_out(v.date())?;
    let (h, mi, s, ns) = time_out(v.time())?;
    Ok((y, mo, d, h, mi, s, ns))
}

type WitBound<T> = Option<(T, RangeBoundKind)>;

fn kind_out(kind: BoundType) -> RangeBoundKind {
    match kind {
        BoundType::Inclusive => RangeBoundKind::Inclusive,
        BoundType::Exclusive => RangeBoundKind::Exclusive,
    }
}

fn kind_in(kind: RangeBoundKind) -> BoundType {
    match kind {
        RangeBoundKind::Inclusive => BoundType::Inclusive,
        RangeBoundKind::Exclusive => BoundType::Exclusive,
    }
}

fn bound_out<S: BoundSided, T: Copy>(bound: Option<&RangeBound<S, T>>) -> WitBound<T> {
    bound.map(|b| (b.value, kind_out(b.type_)))
}

fn range_out<T: Copy + postgres_range::Normalizable + PartialOrd>(
    v: Range<T>,
) -> (WitBound<T>, WitBound<T>) {
    (bound_out(v.lower()), bound_out(v.upper()))
}

fn range_in<T: postgres_range::Normalizable + PartialOrd>(
    (lower, upper): (WitBound<T>, WitBound<T>),
) -> Range<T> {
    Range::new(
        lower.map(|(v, k)| RangeBound::new(v, kind_in(k))),
        upper.map(|(v, k)| RangeBound::new(v, kind_in(k))),
    )
}

/// A NULL parameter of whatever type the statement expects.
#[derive(Debug)]
struct Null;

impl ToSql for Null {
    fn to_sql(&self, _: &Type, _: &mut BytesMut) -> Result<IsNull, BoxError> {
        Ok(IsNull::Yes)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// Any value, as its wire bytes.
struct Raw(Vec<u8>);

impl FromSql<'_> for Raw {
    fn from_sql(_: &Type, raw: &[u8]) -> Result<Self, BoxError> {
        Ok(Self(raw.to_owned()))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// `interval` on the wire: microseconds, days, months (big-endian).
#[derive(Debug)]
struct PgInterval(Interval);

impl FromSql<'_> for PgInterval {
    fn from_sql(_: &Type, raw: &[u8]) -> Result<Self, BoxError> {
        let bytes: [u8; 16] = raw.try_into().map_err(|_| "an interval is 16 bytes")?;
        let [
            m0,
            m1,
            m2,
            m3,
            m4,
            m5,
            m6,
            m7,
            d0,
            d1,
            d2,
            d3,
            n0,
            n1,
            n2,
            n3,
        ] = bytes;
        Ok(Self(Interval {
            micros: i64::from_be_bytes([m0, m1, m2, m3, m4, m5, m6, m7]),
            days: i32::from_be_bytes([d0, d1, d2, d3]),
            months: i32::from_be_bytes([n0, n1, n2, n3]),
        }))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::INTERVAL
    }
}

impl ToSql for PgInterval {
    fn to_sql(&self, _: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        out.extend_from_slice(&self.0.micros.to_be_bytes());
        out.extend_from_slice(&self.0.days.to_be_bytes());
        out.extend_from_slice(&self.0.months.to_be_bytes());
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::INTERVAL
    }

    to_sql_checked!();
}
