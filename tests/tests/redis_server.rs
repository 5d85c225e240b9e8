//! The test support's `RedisServer`: a real server on a free port, with or without a password,
//! restartable on the same port, gone after drop.

use connector_tests::RedisServer;

fn connect(url: &str) -> redis::Connection {
    redis::Client::open(url).unwrap().get_connection().unwrap()
}

#[test]
fn server_answers_and_keeps_data_until_dropped() {
    let server = RedisServer::start();
    assert_ne!(server.port(), 6379, "never the shared port");
    let mut con = connect(&server.url());
    let _: () = redis::cmd("SET").arg("k").arg("v").query(&mut con).unwrap();
    let v: String = redis::cmd("GET").arg("k").query(&mut con).unwrap();
    assert_eq!(v, "v");
    let port = server.port();
    drop(server);
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn server_with_password_refuses_unauthenticated_commands() {
    let server = RedisServer::with_password("123456");
    let mut con = connect(&server.url());
    let err = redis::cmd("GET")
        .arg("k")
        .query::<Option<String>>(&mut con)
        .unwrap_err();
    assert!(err.to_string().contains("NOAUTH"), "{err}");
    let mut con = connect(&format!("redis://:123456@127.0.0.1:{}/", server.port()));
    let v: Option<String> = redis::cmd("GET").arg("k").query(&mut con).unwrap();
    assert_eq!(v, None);
}

#[test]
fn server_restarts_on_the_same_port() {
    let mut server = RedisServer::start();
    let port = server.port();
    server.kill();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    server.restart();
    assert_eq!(server.port(), port);
    let mut con = connect(&server.url());
    let pong: String = redis::cmd("PING").query(&mut con).unwrap();
    assert_eq!(pong, "PONG");
    assert!(server.log().contains("Ready to accept connections"));
}
