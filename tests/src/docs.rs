//! Generated parts of the docs: a connector's options tables, rendered from its declarations,
//! and the check that a document holds what its declarations say today.

use std::path::Path;

use connector_interface::OptionDecl;

/// The options tables of `decls`: one per section, in the order the sections first appear,
/// each under a bold section name (none for options without a section).
pub fn options_markdown(decls: &[OptionDecl]) -> String {
    let mut sections: Vec<&str> = Vec::new();
    for d in decls {
        if !sections.contains(&d.section) {
            sections.push(d.section);
        }
    }
    let mut out = String::new();
    for section in sections {
        if !out.is_empty() {
            out.push('\n');
        }
        if !section.is_empty() {
            out.push_str(&format!("**{section}**\n\n"));
        }
        out.push_str(
            "| option | type | default | required | also accepted as | description |\n\
             |---|---|---|---|---|---|\n",
        );
        for o in decls.iter().filter(|d| d.section == section) {
            out.push_str(&row(o));
        }
    }
    out
}

fn row(o: &OptionDecl) -> String {
    let mut kind = if o.choices.is_empty() {
        o.kind.name().to_string()
    } else {
        o.choices.join(" \\| ")
    };
    if let Some(range) = o.range() {
        kind.push_str(&format!(", {range}"));
    }
    let default = match o.default {
        Some("") => "(empty)".to_string(),
        Some(d) => format!("`{}`", d.replace('|', "\\|")),
        None => String::new(),
    };
    let fallbacks = o
        .fallback_keys
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "| `{}` | {kind} | {default} | {} | {fallbacks} | {}{} |\n",
        o.key,
        if o.required { "yes" } else { "no" },
        o.description.replace('|', "\\|"),
        if o.sensitive { " (sensitive)" } else { "" },
    )
}

/// Panics, with the text to paste, unless `doc` holds `expected` between the lines
/// `<!-- {marker}:start -->` and `<!-- {marker}:end -->`.
pub fn assert_generated(doc: &Path, marker: &str, expected: &str) {
    let text = std::fs::read_to_string(doc)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", doc.display()));
    let start = format!("<!-- {marker}:start -->\n");
    let end = format!("<!-- {marker}:end -->");
    let from = text
        .find(&start)
        .unwrap_or_else(|| panic!("{} has no {start:?} line", doc.display()))
        + start.len();
    let to = text
        .find(&end)
        .unwrap_or_else(|| panic!("{} has no {end:?} line", doc.display()));
    assert!(
        text[from..to] == *expected,
        "{} is out of date between the {marker} markers; replace that part with:\n{expected}",
        doc.display()
    );
}
