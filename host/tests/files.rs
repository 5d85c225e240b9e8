//! The `filesystem` connector's reading as a user meets it, through the real binary: nothing
//! is dropped without a word. A record a format cannot turn into rows fails the job naming file,
//! line and cause, unless `<format>.ignore-parse-errors` asks to skip it (then each is logged
//! and counted); Canal's types other than INSERT, UPDATE, DELETE and CREATE are errors, as in
//! Flink; a Debezium update without `before` is an error, as in Flink; a UTF-8 BOM is skipped.

use std::process::Command;

use connector_tests::resource_dir;

/// Runs `sql` (with `{dir}` replaced by a temp dir holding `files`); exit code, stdout, stderr.
fn run(files: &[(&str, &str)], sql: &str) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let sql = sql.replace("{dir}", &dir.path().display().to_string());
    let job = dir.path().join("job.sql");
    std::fs::write(&job, sql).unwrap();
    let resources = resource_dir(&[]);
    let out = Command::new(env!("CARGO_BIN_EXE_connector-host"))
        .arg("run")
        .arg(&job)
        .arg("--resources")
        .arg(resources.path())
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn print_job(format: &str, columns: &str, extra: &str) -> String {
    let names: Vec<&str> = columns
        .split(',')
        .map(|c| c.split_whitespace().next().unwrap())
        .collect();
    format!(
        "CREATE TABLE src ({columns}) WITH ('connector' = 'filesystem', 'path' = '{{dir}}/in', 'format' = '{format}'{extra});
CREATE TABLE out ({columns}) WITH ('connector' = 'print');
INSERT INTO out SELECT {} FROM src;",
        names.join(", ")
    )
}

#[test]
fn a_bom_is_not_part_of_the_first_key() {
    let (code, out, err) = run(
        &[("in", "\u{feff}1,a\n2,b\n")],
        &print_job("csv", "id STRING, v STRING", ""),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "+I[1, a]\n+I[2, b]\n");
    let (code, out, err) = run(
        &[("in", "\u{feff}{\"id\": 1}\n")],
        &print_job("json", "id INT", ""),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "+I[1]\n");
}

#[test]
fn canal_types_flink_does_not_read_fail_the_job_and_create_is_skipped() {
    for (line, expected) in [
        (
            r#"{"type":"INIT","data":[{"id":1}]}"#,
            "line 1: unknown \"type\" value \"INIT\"",
        ),
        (
            r#"{"type":"TRUNCATE","data":null}"#,
            "line 1: unknown \"type\" value \"TRUNCATE\"",
        ),
        (
            r#"{"type":"INSERT","data":null}"#,
            "line 1: a 'INSERT' message without a 'data' array of rows",
        ),
        (
            r#"{"type":"INSERT","data":{"id":1}}"#,
            "line 1: a 'INSERT' message without a 'data' array of rows",
        ),
    ] {
        let (code, _, err) = run(&[("in", line)], &print_job("canal-json", "id INT", ""));
        assert_eq!(code, 1, "{line}: {err}");
        assert!(
            err.contains("table 'src': ") && err.contains(expected),
            "{line}: {err}"
        );
    }
    let (code, out, err) = run(
        &[("in", "{\"type\":\"CREATE\",\"data\":null,\"isDdl\":true}\n{\"type\":\"INSERT\",\"data\":[{\"id\":7}]}\n")],
        &print_job("canal-json", "id INT", ""),
    );
    assert_eq!((code, out.as_str()), (0, "+I[7]\n"), "{err}");
}

#[test]
fn a_debezium_update_without_before_and_a_json_array_line_are_errors() {
    let (code, _, err) = run(
        &[("in", r#"{"op":"u","before":null,"after":{"id":1}}"#)],
        &print_job("debezium-json", "id INT", ""),
    );
    assert_eq!(code, 1, "{err}");
    // Flink 1.20.3's words (read from flink-json-1.20.3.jar's DebeziumJsonDeserializationSchema).
    assert!(
        err.contains(
            "line 1: The \"before\" field of UPDATE message is null, if you are using Debezium \
             Postgres Connector, please check the Postgres table has been set REPLICA IDENTITY \
             to FULL level."
        ),
        "{err}"
    );
    let (code, _, err) = run(&[("in", "[1, 2]\n")], &print_job("json", "id INT", ""));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("line 1: a JSON object was expected, found an array"),
        "{err}"
    );
}

#[test]
fn ignore_parse_errors_skips_logs_and_counts_each_bad_line() {
    let (code, out, err) = run(
        &[("in", "{\"id\": 1}\nnot json\n[3]\n{\"id\": 4}\n")],
        &print_job("json", "id INT", ", 'json.ignore-parse-errors' = 'true'"),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "+I[1]\n+I[4]\n");
    assert!(err.contains("/in, line 2 skipped: invalid JSON"), "{err}");
    assert!(
        err.contains("/in, line 3 skipped: a JSON object was expected"),
        "{err}"
    );
    assert!(
        err.contains("table 'src': 2 lines skipped ('json.ignore-parse-errors' = 'true')"),
        "{err}"
    );
}

#[test]
fn a_line_longer_than_the_limit_fails_naming_it_and_memory_stays_bounded() {
    let (code, _, err) = run(
        &[("in", "{\"id\": 1}\n{\"id\": 22222}\n")],
        &print_job("json", "id INT", ", 'source.max-line-length' = '10'"),
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("/in, line 2: the line is longer than 'source.max-line-length' = 10 bytes"),
        "{err}"
    );

    // 50 MB without a line break, read with the default limit (16 MiB): the peak RSS of the
    // host stays far below the line's size (it was 353 MB for a 50 MB line before the limit).
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("in");
    std::fs::write(&big, vec![b'x'; 50 << 20]).unwrap();
    let job = dir.path().join("job.sql");
    std::fs::write(
        &job,
        print_job("csv", "v STRING", "").replace("{dir}", &dir.path().display().to_string()),
    )
    .unwrap();
    let resources = resource_dir(&[]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_connector-host"))
        .arg("run")
        .arg(&job)
        .arg("--resources")
        .arg(resources.path())
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut peak_kb = 0u64;
    while child.try_wait().unwrap().is_none() {
        peak_kb = peak_kb.max(connector_tests::peak_rss_kb(child.id()).unwrap_or(0));
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("line 1: the line is longer than 'source.max-line-length' = 16777216 bytes"),
        "{err}"
    );
    assert!(
        peak_kb < 100 * 1024,
        "peak RSS {peak_kb} kB for a 50 MB line"
    );
    eprintln!("peak RSS reading a 50 MB line: {peak_kb} kB");
}

#[test]
fn the_json_formats_options_fail_on_what_they_exclude() {
    let (code, _, err) = run(
        &[("in", "{\"id\": 1}\n{\"v\": \"x\"}\n")],
        &print_job(
            "json",
            "id INT, v STRING",
            ", 'json.fail-on-missing-field' = 'true'",
        ),
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("/in, line 1: no field 'v' ('json.fail-on-missing-field' = 'true')"),
        "{err}"
    );
    let (code, _, err) = run(
        &[("in", r#"{"op":"c","before":null,"after":{"id":1}}"#)],
        &print_job(
            "debezium-json",
            "id INT",
            ", 'debezium-json.schema-include' = 'true'",
        ),
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("line 1: no 'payload' field ('debezium-json.schema-include' = 'true')"),
        "{err}"
    );
    let (code, _, err) = run(
        &[("in", "")],
        &print_job(
            "canal-json",
            "id INT",
            ", 'canal-json.table.include' = 'orders('",
        ),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("table 'src': option 'canal-json.table.include' is not a regular expression"),
        "{err}"
    );
}

#[test]
fn the_csv_sink_quotes_what_must_be_quoted_with_the_tables_options() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let sql = format!(
        "CREATE TABLE src (id INT, s STRING, n STRING) WITH ('connector' = 'filesystem', 'path' = '{{dir}}/in', 'format' = 'json');
CREATE TABLE sink_t (id INT, s STRING, n STRING) WITH ('connector' = 'filesystem', 'path' = '{}', 'format' = 'csv', 'csv.field-delimiter' = ';', 'csv.null-literal' = 'N/A');
INSERT INTO sink_t SELECT id, s, n FROM src;",
        out.display()
    );
    let input = "{\"id\": 1, \"s\": \" padded \", \"n\": null}\n{\"id\": 2, \"s\": \"a;b\", \"n\": \"N/A\"}\n{\"id\": 3, \"s\": \"two\\nlines\", \"n\": \"x\"}\n";
    let (code, _, err) = run(&[("in", input)], &sql);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "1;\" padded \";N/A\n2;\"a;b\";\"N/A\"\n3;\"two\nlines\";x\n"
    );
    let (code, _, err) = run(
        &[("in", "")],
        &print_job("csv", "id INT", ", 'csv.field-delimiter' = ';;'"),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "table 'src': option 'csv.field-delimiter' must be a string with single character, but was: ;;"
        ),
        "{err}"
    );
}

#[test]
fn an_empty_csv_field_for_a_number_fails_as_in_flink_unless_it_is_the_null_literal() {
    // Flink 1.20.3 fails such a job ("Fail to deserialize at field: id.", a
    // NumberFormatException for ""); the other forms are host/tests/flink/csv_empty_fields.sql.
    let (code, _, err) = run(
        &[("in", "1,a\n,b\n")],
        &print_job("csv", "id INT, v STRING", ""),
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("/in, line 2: column 'id': an empty field is not a INT"),
        "{err}"
    );
    let (code, out, err) = run(
        &[("in", "1,a\n,b\n")],
        &print_job("csv", "id INT, v STRING", ", 'csv.null-literal' = ''"),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "+I[1, a]\n+I[null, b]\n");
}

#[test]
fn a_setting_the_host_does_not_read_is_accepted_with_a_warning_naming_it() {
    let (code, out, err) = run(
        &[("in", "1,a\n")],
        &format!(
            "SET 'pipeline.name' = 'x';\nSET 'table.local-time-zone' = 'Asia/Shanghai';\nSET 'table.local-time-zone' = 'UTC';\n{}",
            print_job("csv", "id INT, v STRING", "")
        ),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "+I[1, a]\n");
    assert!(
        err.contains("setting 'pipeline.name' is not used by the host"),
        "{err}"
    );
    assert!(
        err.contains("'table.local-time-zone' = 'Asia/Shanghai' is not supported: TIMESTAMP_LTZ values are shown and cast in UTC"),
        "{err}"
    );
    assert_eq!(err.matches("local-time-zone").count(), 1, "{err}");
}

#[test]
fn a_computed_column_that_fails_names_its_table_and_column() {
    let (code, _, err) = run(
        &[("in", "1,0\n")],
        "CREATE TABLE src (a INT, b INT, q AS a / b) WITH ('connector' = 'filesystem', 'path' = '{dir}/in', 'format' = 'csv');
CREATE TABLE out_t (a INT, q INT) WITH ('connector' = 'print');
INSERT INTO out_t SELECT a, q FROM src;",
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("table 'src', computed column 'q': division by zero"),
        "{err}"
    );
}
