//! A lookup join, planned: its period column, its keys from the ON equalities, its provider.

use super::*;

/// Plans one lookup join over the tables in `scope`, and adds the dimension's columns to it.
pub(crate) fn plan_join(
    catalog: &mut Catalog,
    scope: &mut Scope,
    join: &LookupJoin,
) -> Result<JoinPlan, HostError> {
    let dim = catalog.table(&join.table.name, join.table.pos)?.clone();
    // The period column must be a PROCTIME column of the tables before.
    let time = scope.bind(&join.time).map_err(reject)?;
    if time.data_type().kind != connector_interface::TypeKind::TIMESTAMP_LTZ {
        return Err(HostError::Rejected(format!(
            "{}: FOR SYSTEM_TIME AS OF needs a processing-time column (x AS PROCTIME())",
            join.time.pos()
        )));
    }
    if let Some((name, _)) = dim.computed.first() {
        return Err(HostError::Rejected(format!(
            "{}: not supported: the lookup table '{}' has a computed column ('{name}')",
            join.table.pos, dim.name
        )));
    }
    let before = scope.columns.len();
    let mut joined = scope.clone();
    block(&mut joined, &dim, join.table.qualifier());
    let mut parts = Vec::new();
    conjuncts(&join.on, &mut parts);
    let mut keys = Vec::new();
    let mut lookup_columns = Vec::new();
    let mut key_types = Vec::new();
    for part in &parts {
        let Expr::Binary {
            op: BinaryOp::Eq,
            left,
            right,
            pos,
        } = part
        else {
            return Err(HostError::Rejected(format!(
                "{}: a lookup join's ON takes equalities between a column of '{}' and the other tables, joined by AND",
                part.pos(),
                dim.name
            )));
        };
        let l = joined.bind(left).map_err(reject)?;
        let r = joined.bind(right).map_err(reject)?;
        let (dim_side, other) = match (l.input(), r.input()) {
            (Some(i), _) if i >= before && uses_only(&r, before) => (i, r),
            (_, Some(i)) if i >= before && uses_only(&l, before) => (i, l),
            _ => {
                return Err(HostError::Rejected(format!(
                    "{pos}: each equality in a lookup join's ON must compare a column of '{}' with an expression over the other tables",
                    dim.name
                )))
            }
        };
        let column = dim_side - before;
        if column >= dim.columns.len() {
            return Err(HostError::Rejected(format!(
                "{pos}: '{}' is a computed column of '{}' and cannot be a lookup key",
                joined.columns[dim_side].name, dim.name
            )));
        }
        key_types.push(dim.columns[column].data_type.clone());
        lookup_columns.push(column);
        keys.push(other);
    }
    let provider = catalog.provider(&dim, Roles::LOOKUP, &lookup_columns)?;
    if matches!(provider, Provider::Builtin) {
        return Err(HostError::Rejected(format!(
            "table '{}': connector '{}' cannot be looked up",
            dim.name,
            dim.connector()
        )));
    }
    let width = dim.columns.len() + dim.proctime.len();
    *scope = joined;
    Ok(JoinPlan {
        table: dim,
        provider,
        left: join.left,
        keys,
        key_types,
        lookup_columns,
        width,
    })
}
