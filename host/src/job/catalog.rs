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

/// Binds the table's `x AS expr` columns into `table.computed`, each to its stored and
/// PROCTIME columns (and the computed ones before it), as the sources compute them.
fn bind_computed_columns(
    create: &crate::sql::ast::CreateTable,
    table: &mut TableDef,
) -> Result<(), HostError> {
    let mut scope = crate::expr::Scope::default();
    super::plan::block(&mut scope, table, &create.name);
    for c in &create.columns {
        let Some(expr) = &c.computed else { continue };
        let bound = scope.bind(expr).map_err(|e| {
            HostError::Rejected(format!(
                "{}: table '{}', computed column '{}': {}",
                e.pos, create.name, c.name, e.message
            ))
        })?;
        scope.columns.push(crate::expr::ScopeColumn {
            qualifier: create.name.clone(),
            name: c.name.clone(),
            data_type: bound.data_type().clone(),
        });
        table.computed.push((c.name.clone(), bound));
    }
    Ok(())
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
    let mut table = TableDef {
        name: create.name.clone(),
        columns,
        proctime,
        computed: Vec::new(),
        primary_key,
        options: create.options.clone(),
    };
    bind_computed_columns(create, &mut table)?;
    Ok(table)
}
