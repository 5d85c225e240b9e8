//! The job's catalog: its tables, their connectors (built in or a plugin's factory), settings,
//! and options as `explain` shows them (sensitive ones masked).

use super::*;
use crate::error::role_not_supported;

/// A table's connector: built in, or a plugin's factory.
pub(crate) enum Provider {
    Builtin,
    Plugin(Arc<crate::loader::LoadedPlugin>),
}

pub(crate) struct Catalog {
    pub(crate) tables: BTreeMap<String, TableDef>,
    pub(crate) settings: BTreeMap<String, String>,
    pub(crate) discovery: Option<Discovery>,
    pub(crate) resources: PathBuf,
}

impl Catalog {
    pub(crate) fn discovery(&mut self) -> Result<&Discovery, HostError> {
        if self.discovery.is_none() {
            self.discovery = Some(Discovery::scan(&self.resources)?);
        }
        self.discovery
            .as_ref()
            .ok_or_else(|| HostError::Rejected("no resource directory".into()))
    }

    pub(crate) fn table(
        &self,
        name: &str,
        pos: crate::sql::ast::Pos,
    ) -> Result<&TableDef, HostError> {
        self.tables.get(name).ok_or_else(|| {
            HostError::Rejected(format!(
                "{pos}: unknown table '{name}'; known tables: {}",
                if self.tables.is_empty() {
                    "none".to_string()
                } else {
                    self.tables.keys().cloned().collect::<Vec<_>>().join(", ")
                }
            ))
        })
    }

    /// The provider of a table's connector, checked for `role`.
    pub(crate) fn provider(
        &mut self,
        table: &TableDef,
        role: Roles,
        lookup_keys: &[usize],
    ) -> Result<Provider, HostError> {
        let connector = table.connector().to_string();
        if connector.is_empty() {
            return Err(HostError::Rejected(format!(
                "table '{}': the option 'connector' is missing",
                table.name
            )));
        }
        if let Some(decl) = builtin(&connector) {
            validate_builtin(table).map_err(HostError::Rejected)?;
            if !decl.roles.contains(role) {
                return Err(HostError::Rejected(role_not_supported(
                    &table.name,
                    &connector,
                    role,
                )));
            }
            return Ok(Provider::Builtin);
        }
        let file = {
            let discovery = self.discovery()?;
            let mut known = discovery
                .identifiers()
                .keys()
                .map(|k| k.to_string())
                .collect::<Vec<_>>();
            known.extend(BUILTINS.iter().map(|b| b.identifier.to_string()));
            known.sort();
            match discovery.resolve(&connector) {
                Ok(p) => p.path.clone(),
                Err(HostError::UnknownIdentifier {
                    identifier, dir, ..
                }) => {
                    return Err(HostError::UnknownIdentifier {
                        identifier,
                        dir,
                        available: known,
                    })
                }
                Err(e) => return Err(e),
            }
        };
        let plugin = crate::loader::load(&file)?;
        let factory = plugin
            .factory(&connector)
            .ok_or_else(|| HostError::Plugin {
                path: file.clone(),
                reason: format!("the manifest lists '{connector}' but the loaded library does not"),
            })?;
        if !factory.roles().contains(role) {
            return Err(HostError::Rejected(role_not_supported(
                &table.name,
                &connector,
                role,
            )));
        }
        factory
            .validate(&table.context(lookup_keys, 0, 1), role)
            .into_result()
            .map_err(|e| HostError::Rejected(e.message.to_string()))?;
        Ok(Provider::Plugin(plugin))
    }

    /// Option values never printed: those a plugin declares sensitive, and any key that
    /// names a password or secret.
    pub(crate) fn masked_options(&mut self, table: &TableDef) -> Vec<(String, String)> {
        let sensitive: Vec<String> = self
            .discovery()
            .ok()
            .and_then(|d| d.resolve(table.connector()).ok())
            .and_then(|p| {
                p.manifest
                    .factories
                    .iter()
                    .find(|f| f.identifier == table.connector())
                    .cloned()
            })
            .map(|f| {
                f.options
                    .iter()
                    .filter(|o| o.sensitive)
                    .flat_map(|o| std::iter::once(o.key.clone()).chain(o.fallback_keys.clone()))
                    .collect()
            })
            .unwrap_or_default();
        table
            .options
            .iter()
            .map(|(k, v)| {
                let lower = k.to_ascii_lowercase();
                if sensitive.contains(k) || lower.contains("password") || lower.contains("secret") {
                    (k.clone(), "******".to_string())
                } else {
                    (k.clone(), v.clone())
                }
            })
            .collect()
    }
}

/// The table's `x AS expr` columns, bound to its stored and PROCTIME columns (and the
/// computed ones before them), as the sources compute them.
fn computed_columns(
    create: &crate::sql::ast::CreateTable,
    columns: &[Column],
    proctime: &[String],
) -> Result<Vec<(String, crate::expr::Bound)>, HostError> {
    use crate::expr::{Scope, ScopeColumn};
    let mut scope = Scope::default();
    let add = |scope: &mut Scope, name: &str, data_type: DataType| {
        scope.columns.push(ScopeColumn {
            qualifier: create.name.clone(),
            name: name.to_string(),
            data_type,
        })
    };
    for c in columns {
        add(&mut scope, &c.name, c.data_type.clone());
    }
    for p in proctime {
        let mut t = DataType::new(connector_interface::TypeKind::TIMESTAMP_LTZ).not_null();
        t.precision = 3;
        add(&mut scope, p, t);
    }
    let mut computed = Vec::new();
    for c in &create.columns {
        let Some(expr) = &c.computed else { continue };
        let bound = scope.bind(expr).map_err(|e| {
            HostError::Rejected(format!(
                "{}: table '{}', computed column '{}': {}",
                e.pos, create.name, c.name, e.message
            ))
        })?;
        add(&mut scope, &c.name, bound.data_type().clone());
        computed.push((c.name.clone(), bound));
    }
    Ok(computed)
}

pub(crate) fn table_def(create: &crate::sql::ast::CreateTable) -> Result<TableDef, HostError> {
    let mut columns = Vec::new();
    let mut proctime = Vec::new();
    for c in &create.columns {
        if create.columns.iter().filter(|o| o.name == c.name).count() > 1 {
            return Err(HostError::Rejected(format!(
                "{}: table '{}' declares column '{}' twice",
                c.pos, create.name, c.name
            )));
        }
        if c.proctime {
            proctime.push(c.name.clone());
        } else if c.computed.is_some() {
            continue;
        } else {
            columns.push(Column::new(&c.name, c.data_type.clone()));
        }
    }
    let primary_key = create
        .primary_key
        .iter()
        .map(|k| {
            columns
                .iter()
                .position(|c| c.name.as_str() == k)
                .ok_or_else(|| {
                    HostError::Rejected(format!(
                        "{}: table '{}': primary key column '{k}' is not a column of the table",
                        create.pos, create.name
                    ))
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    for k in &primary_key {
        columns[*k].data_type.nullable = false;
    }
    // The same key twice would leave one of the two values unused without a word.
    for (i, (key, _)) in create.options.iter().enumerate() {
        if create.options[..i].iter().any(|(k, _)| k == key) {
            return Err(HostError::Rejected(format!(
                "{}: table '{}': option '{key}' is given twice",
                create.pos, create.name
            )));
        }
    }
    let computed = computed_columns(create, &columns, &proctime)?;
    Ok(TableDef {
        name: create.name.clone(),
        columns,
        proctime,
        computed,
        primary_key,
        options: create.options.clone(),
    })
}
