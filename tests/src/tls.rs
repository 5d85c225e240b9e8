//! Certificates made by a test (rcgen) and a `redis-server` that speaks TLS with them: a CA,
//! a server certificate for `127.0.0.1` and `localhost`, a client certificate, and a second
//! CA that signed nothing of the server's (to show an untrusted server is refused).

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};

use crate::RedisServer;

/// PEM files in a temp dir.
pub struct Certificates {
    dir: tempfile::TempDir,
}

fn ca(name: &str) -> (Certificate, KeyPair) {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    let key = KeyPair::generate().expect("CA key");
    let cert = params.self_signed(&key).expect("CA certificate");
    (cert, key)
}

fn signed(
    names: &[&str],
    usage: ExtendedKeyUsagePurpose,
    by: &(Certificate, KeyPair),
) -> (Certificate, KeyPair) {
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .expect("certificate params");
    params.distinguished_name.push(
        DnType::CommonName,
        names.first().copied().unwrap_or("client"),
    );
    params.extended_key_usages = vec![usage];
    let key = KeyPair::generate().expect("key");
    let cert = params.signed_by(&key, &by.0, &by.1).expect("certificate");
    (cert, key)
}

impl Certificates {
    pub fn make() -> Certificates {
        let dir = tempfile::tempdir().expect("temp dir for certificates");
        let authority = ca("connector test CA");
        let other = ca("another CA");
        let server = signed(
            &["localhost", "127.0.0.1"],
            ExtendedKeyUsagePurpose::ServerAuth,
            &authority,
        );
        let elsewhere = signed(
            &["redis.example.invalid"],
            ExtendedKeyUsagePurpose::ServerAuth,
            &authority,
        );
        let client = signed(&[], ExtendedKeyUsagePurpose::ClientAuth, &authority);
        let write = |name: &str, text: String| {
            std::fs::write(dir.path().join(name), text).expect("write a PEM file")
        };
        write("ca.crt", authority.0.pem());
        write("other-ca.crt", other.0.pem());
        write("server.crt", server.0.pem());
        write("server.key", server.1.serialize_pem());
        write("elsewhere.crt", elsewhere.0.pem());
        write("elsewhere.key", elsewhere.1.serialize_pem());
        write("client.crt", client.0.pem());
        write("client.key", client.1.serialize_pem());
        Certificates { dir }
    }

    /// The path of one of the files: `ca.crt`, `other-ca.crt`, `server.crt`, `server.key`,
    /// `elsewhere.crt`, `elsewhere.key` (a server certificate for another name), `client.crt`,
    /// `client.key`.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// A server with a plain port (for the test's own checks) and a TLS port, returned with it;
/// with `client_certificates`, TLS clients must present a certificate of the CA.
pub fn tls_server(certs: &Certificates, client_certificates: bool) -> (RedisServer, u16) {
    tls_server_as(certs, "server", client_certificates)
}

/// [`tls_server`] with the certificate `<name>.crt` and key `<name>.key`.
pub fn tls_server_as(
    certs: &Certificates,
    name: &str,
    client_certificates: bool,
) -> (RedisServer, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let port_text = port.to_string();
    let (cert, key, ca) = (
        certs.path(&format!("{name}.crt")),
        certs.path(&format!("{name}.key")),
        certs.path("ca.crt"),
    );
    let server = RedisServer::with_args(&[
        "--tls-port",
        &port_text,
        "--tls-cert-file",
        cert.to_str().unwrap(),
        "--tls-key-file",
        key.to_str().unwrap(),
        "--tls-ca-cert-file",
        ca.to_str().unwrap(),
        "--tls-auth-clients",
        if client_certificates { "yes" } else { "no" },
    ]);
    (server, port)
}
