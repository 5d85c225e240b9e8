//! docs/redis.md's options tables are generated from the declarations; this test keeps them in
//! step.

#[test]
fn the_docs_options_tables_match_the_declarations() {
    let doc = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/redis.md");
    let expected = connector_tests::docs::options_markdown(super::OPTIONS);
    connector_tests::docs::assert_generated(&doc, "options", &expected);
}
