//! TLS through the real `.so` against a real `redis-server --tls-port`, with certificates the
//! test makes: `rediss://` and `tls` + `tls.ca-cert` reach it; a server whose certificate
//! another CA signed, or whose name does not match, is refused with a message saying what
//! failed, at once (no retries); a server that requires a client certificate is reached with
//! one and refuses a client without; `tls.insecure` connects without verification.

use abi_stable::std_types::RSlice;
use connector_host::loader::load;
use connector_interface::{DataType, ErrorKind, Row, SinkBox, TableContext, Value};
use connector_tests::tls::{tls_server, tls_server_as, Certificates};
use connector_tests::{redis_plugin, table_context, RedisServer};

fn context(options: &[(&str, &str)]) -> TableContext {
    let mut all = vec![("connector", "redis")];
    all.extend_from_slice(options);
    table_context(
        "t",
        &[("k", DataType::string()), ("v", DataType::string())],
        &[0],
        &all,
    )
}

fn sink(context: &TableContext) -> SinkBox {
    let plugin = load(&redis_plugin()).unwrap();
    plugin
        .factory("redis")
        .unwrap()
        .create_sink(context)
        .unwrap()
}

/// Writes one row through a sink of these options and checks it through the plain port.
fn write_one(server: &RedisServer, options: &[(&str, &str)], key: &str) {
    let mut sink = sink(&context(options));
    sink.open().unwrap();
    let row = Row::insert(vec![Value::from(key), "over tls".into()]);
    sink.write(RSlice::from_slice(&[row])).unwrap();
    sink.flush().unwrap();
    let mut con = redis::Client::open(server.url())
        .unwrap()
        .get_connection()
        .unwrap();
    let v: String = redis::cmd("GET").arg(key).query(&mut con).unwrap();
    assert_eq!(v, "over tls");
}

fn open_error(options: &[(&str, &str)]) -> (ErrorKind, String, u64) {
    let mut sink = sink(&context(options));
    let err = sink.open().unwrap_err();
    let retries = connector_tests::counter(&sink.counters(), "retries");
    (err.kind, err.message.to_string(), retries)
}

#[test]
fn rediss_and_tls_with_a_ca_reach_a_tls_server() {
    let certs = Certificates::make();
    let (server, port) = tls_server(&certs, false);
    let ca = certs.path("ca.crt");
    let ca = ca.to_str().unwrap();
    let port = port.to_string();
    let url = format!("rediss://127.0.0.1:{port}");
    write_one(&server, &[("url", &url), ("tls.ca-cert", ca)], "by-url");
    write_one(
        &server,
        &[
            ("hostname", "localhost"),
            ("port", &port),
            ("tls", "true"),
            ("tls.ca-cert", ca),
        ],
        "by-options",
    );
}

#[test]
fn an_untrusted_certificate_or_a_wrong_host_name_is_refused_at_once_saying_so() {
    let certs = Certificates::make();
    let (_server, port) = tls_server(&certs, false);
    let port = port.to_string();
    let other = certs.path("other-ca.crt");
    let (kind, message, retries) = open_error(&[
        ("hostname", "127.0.0.1"),
        ("port", &port),
        ("tls", "true"),
        ("tls.ca-cert", other.to_str().unwrap()),
    ]);
    assert_eq!((kind, retries), (ErrorKind::CONNECTION, 0), "{message}");
    assert!(
        message.starts_with(&format!(
            "table 't': connecting to redis at 127.0.0.1:{port} failed: TLS: the server's \
             certificate is not trusted: "
        )),
        "{message}"
    );
    assert!(message.contains("UnknownIssuer"), "{message}");

    // A certificate of the right CA, but for another name than 127.0.0.1.
    let (_elsewhere, port) = tls_server_as(&certs, "elsewhere", false);
    let port = port.to_string();
    let ca = certs.path("ca.crt");
    let (_, message, retries) = open_error(&[
        ("hostname", "127.0.0.1"),
        ("port", &port),
        ("tls", "true"),
        ("tls.ca-cert", ca.to_str().unwrap()),
    ]);
    assert_eq!(retries, 0, "{message}");
    assert!(
        message.contains("failed: TLS: the server's certificate is not for this host name: "),
        "{message}"
    );
}

#[test]
fn a_server_that_requires_a_client_certificate_gets_one() {
    let certs = Certificates::make();
    let (server, port) = tls_server(&certs, true);
    let port = port.to_string();
    let (ca, cert, key) = (
        certs.path("ca.crt"),
        certs.path("client.crt"),
        certs.path("client.key"),
    );
    let base = [
        ("hostname", "127.0.0.1"),
        ("port", port.as_str()),
        ("tls", "true"),
        ("tls.ca-cert", ca.to_str().unwrap()),
    ];
    let mut with_cert = base.to_vec();
    with_cert.push(("tls.client-cert", cert.to_str().unwrap()));
    with_cert.push(("tls.client-key", key.to_str().unwrap()));
    write_one(&server, &with_cert, "mutual");

    let (_, message, _) = open_error(&[
        ("retry.timeout", "0s"),
        ("hostname", "127.0.0.1"),
        ("port", port.as_str()),
        ("tls", "true"),
        ("tls.ca-cert", ca.to_str().unwrap()),
    ]);
    assert!(
        message.starts_with(&format!(
            "table 't': connecting to redis at 127.0.0.1:{port} failed: TLS: the server \
             requires a client certificate ('tls.client-cert', 'tls.client-key'): "
        )),
        "{message}"
    );
}

#[test]
fn insecure_accepts_any_certificate() {
    let certs = Certificates::make();
    let (server, port) = tls_server(&certs, false);
    let port = port.to_string();
    write_one(
        &server,
        &[
            ("hostname", "127.0.0.1"),
            ("port", &port),
            ("tls", "true"),
            ("tls.insecure", "true"),
        ],
        "insecure",
    );
}

#[test]
fn tls_options_are_checked_before_connecting() {
    let plugin = load(&redis_plugin()).unwrap();
    let factory = plugin.factory("redis").unwrap();
    let err = |options: &[(&str, &str)]| {
        factory
            .create_sink(&context(options))
            .err()
            .expect("an error")
            .message
            .to_string()
    };
    assert_eq!(
        err(&[("hostname", "h"), ("tls.ca-cert", "/ca.pem")]),
        "table 't': option 'tls.ca-cert' applies to TLS connections only; set 'tls' = 'true' \
         (or use a 'rediss://' url)"
    );
    assert!(err(&[
        ("hostname", "h"),
        ("tls", "true"),
        ("tls.ca-cert", "/no/such.pem")
    ])
    .starts_with("table 't': option 'tls.ca-cert': cannot read '/no/such.pem': "));
    let certs = Certificates::make();
    let cert = certs.path("client.crt");
    assert!(err(&[
        ("hostname", "h"),
        ("tls", "true"),
        ("tls.client-cert", cert.to_str().unwrap())
    ])
    .contains("option 'tls.client-cert' needs 'tls.client-key' too"));
}
