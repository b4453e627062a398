//! A NATS server in operator mode, as sites that hand out credentials files run it: an operator,
//! one account with JetStream, and users whose credentials (JWT and NKey seed) are made here and
//! signed with real Ed25519 keys, so the server checks them as it would any other.

use data_encoding::BASE64URL_NOPAD;
use nkeys::KeyPair;
use serde_json::json;

/// The operator and its one account, with the server configuration that trusts them.
pub struct Operator {
    operator: KeyPair,
    account: KeyPair,
    /// The server's own account, which JetStream needs in operator mode.
    system: KeyPair,
}

impl Operator {
    pub fn new() -> Self {
        Operator {
            operator: KeyPair::new_operator(),
            account: KeyPair::new_account(),
            system: KeyPair::new_account(),
        }
    }

    /// The server's configuration: the operator trusted, the account preloaded, JetStream on.
    pub fn server_config(&self, port: u16, store: &std::path::Path) -> String {
        let operator = jwt(
            &self.operator,
            &self.operator.public_key(),
            json!({ "name": "attache-test", "nats": { "type": "operator", "version": 2 } }),
        );
        let account = jwt(
            &self.operator,
            &self.account.public_key(),
            json!({ "name": "desks", "nats": {
                "limits": {
                    "subs": -1, "data": -1, "payload": -1, "imports": -1, "exports": -1,
                    "wildcards": true, "conn": -1, "leaf": -1,
                    "mem_storage": -1, "disk_storage": -1, "streams": -1, "consumer": -1,
                },
                "type": "account", "version": 2,
            } }),
        );
        let system = jwt(
            &self.operator,
            &self.system.public_key(),
            json!({ "name": "SYS", "nats": { "type": "account", "version": 2 } }),
        );
        let (account_key, system_key) = (self.account.public_key(), self.system.public_key());
        format!(
            "listen: 127.0.0.1:{port}\njetstream {{ store_dir: \"{}\" }}\noperator: {operator}\nsystem_account: {system_key}\nresolver: MEMORY\nresolver_preload: {{ {account_key}: {account}, {system_key}: {system} }}\n",
            store.display()
        )
    }

    /// A user of the account, as the text of a credentials file.
    pub fn user_credentials(&self, name: &str) -> String {
        let user = KeyPair::new_user();
        let token = jwt(
            &self.account,
            &user.public_key(),
            json!({ "name": name, "nats": {
                "pub": {}, "sub": {}, "subs": -1, "data": -1, "payload": -1,
                "type": "user", "version": 2,
            } }),
        );
        format!(
            "-----BEGIN NATS USER JWT-----\n{token}\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n{}\n------END USER NKEY SEED------\n",
            user.seed().unwrap()
        )
    }
}

/// A JWT as NATS makes them: `ed25519-nkey`, issued by `issuer` about `subject`.
fn jwt(issuer: &KeyPair, subject: &str, mut claims: serde_json::Value) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    claims["iss"] = issuer.public_key().into();
    claims["sub"] = subject.into();
    claims["iat"] = now.into();
    claims["jti"] = format!("{subject}{now}").into();
    let header = BASE64URL_NOPAD.encode(br#"{"typ":"JWT","alg":"ed25519-nkey"}"#);
    let body = BASE64URL_NOPAD.encode(claims.to_string().as_bytes());
    let signed = format!("{header}.{body}");
    let signature = BASE64URL_NOPAD.encode(&issuer.sign(signed.as_bytes()).unwrap());
    format!("{signed}.{signature}")
}
