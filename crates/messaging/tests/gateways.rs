//! `SmsGateway` and `WhatsappClient` against the simulated providers over
//! TCP on loopback.

use std::time::Duration;

use headend_core::messages::settings::{GenericBody, HttpMethod, SmsProvider};
use headend_messaging::{SendError, SmsGateway, WhatsappClient};
use headend_secrets::Secret;
use headend_simlab::{SimGateway, SimGatewayConfig, SimProvider};

const TIMEOUT: Duration = Duration::from_secs(5);
const CUSTOMER: &str = "+254712345678";

async fn gateway() -> SimGateway {
    SimGateway::start(SimGatewayConfig::default()).await.expect("simulated gateway")
}

fn secret(text: &str) -> Option<Secret> {
    Some(Secret::from(text.to_owned()))
}

fn twilio(sim: &SimGateway) -> SmsGateway {
    SmsGateway::new(&sim.twilio("+15005550006"), secret(&sim.config().twilio_auth_token), TIMEOUT).expect("settings")
}

/// An error for the operator, with none of the credentials in it.
fn assert_clean(err: &SendError) {
    let config = SimGatewayConfig::default();
    let text = err.to_string();
    for secret in [&config.twilio_auth_token, &config.at_api_key, &config.whatsapp_token, &config.generic_secret] {
        assert!(!text.contains(secret.as_str()), "{text}");
    }
    assert!(!text.contains("wrong-"), "{text}");
}

#[tokio::test]
async fn twilio_takes_a_message() {
    let sim = gateway().await;
    let accepted = twilio(&sim).send(CUSTOMER, "Your invoice INV-7 of KES 1,500 is due on 5 May.").await.expect("sent");
    let messages = sim.messages();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(m.provider, SimProvider::Twilio);
    assert_eq!(m.to, CUSTOMER);
    assert_eq!(m.from.as_deref(), Some("+15005550006"));
    assert_eq!(m.text.as_deref(), Some("Your invoice INV-7 of KES 1,500 is due on 5 May."));
    assert_eq!(m.request.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(accepted.provider_id.as_deref(), Some(m.id.as_str()));
    assert!(m.id.starts_with("SM"));
}

#[tokio::test]
async fn twilio_refusals() {
    let sim = gateway().await;
    let wrong = SmsGateway::new(&sim.twilio("+15005550006"), secret("wrong-token"), TIMEOUT).expect("settings");
    let err = wrong.send(CUSTOMER, "hi").await.expect_err("refused");
    assert_eq!(err, SendError::Transient("Twilio refused the account SID or auth token: Authenticate (20003)".into()));
    assert_clean(&err);

    sim.reject_number("+254700000000");
    let err = twilio(&sim).send("+254700000000", "hi").await.expect_err("refused");
    assert_eq!(
        err,
        SendError::Permanent(
            "Twilio refused the number +254700000000: The 'To' number +254700000000 is not a valid phone number. (21211)"
                .into()
        )
    );
    assert_eq!(sim.accepted(), 0);
}

#[tokio::test]
async fn africas_talking_takes_a_message() {
    let sim = gateway().await;
    let at = SmsGateway::new(&sim.africastalking(Some("FIBRA")), secret(&sim.config().at_api_key), TIMEOUT)
        .expect("settings");
    let accepted = at.send(CUSTOMER, "Payment received: KES 1,500. Thank you!").await.expect("sent");
    let m = &sim.messages()[0];
    assert_eq!(m.provider, SimProvider::AfricasTalking);
    assert_eq!((m.to.as_str(), m.from.as_deref()), (CUSTOMER, Some("FIBRA")));
    assert_eq!(m.text.as_deref(), Some("Payment received: KES 1,500. Thank you!"));
    assert_eq!(m.request.header("accept"), Some("application/json"));
    assert_eq!(accepted.provider_id.as_deref(), Some(m.id.as_str()));

    sim.reject_number("+254700000001");
    let err = at.send("+254700000001", "hi").await.expect_err("refused");
    assert_eq!(
        err,
        SendError::Permanent("Africa's Talking refused the number +254700000001: InvalidPhoneNumber (403)".into())
    );

    let wrong = SmsGateway::new(&sim.africastalking(None), secret("wrong-key"), TIMEOUT).expect("settings");
    let err = wrong.send(CUSTOMER, "hi").await.expect_err("refused");
    assert!(!err.is_permanent(), "{err}");
    assert!(err.to_string().contains("The supplied authentication is invalid"), "{err}");
    assert_clean(&err);
    assert_eq!(sim.accepted(), 1);
}

#[tokio::test]
async fn whatsapp_sends_a_template_with_parameters() {
    let sim = gateway().await;
    let client = WhatsappClient::new(&sim.whatsapp(), Secret::from(sim.config().whatsapp_token.clone()), TIMEOUT)
        .expect("settings");
    let parameters = vec!["Ana".to_owned(), "INV-7".to_owned(), "KES 1,500".to_owned()];
    let accepted = client.send_template(CUSTOMER, "invoice_issued", "en", &parameters).await.expect("sent");
    let m = &sim.messages()[0];
    assert_eq!(m.provider, SimProvider::Whatsapp);
    assert_eq!(m.to, "254712345678");
    assert_eq!(m.template.as_deref(), Some("invoice_issued"));
    assert_eq!(m.language.as_deref(), Some("en"));
    assert_eq!(m.parameters, parameters);
    assert_eq!(accepted.provider_id.as_deref(), Some(m.id.as_str()));

    sim.reject_number(CUSTOMER);
    let err = client.send_template(CUSTOMER, "invoice_issued", "en", &parameters).await.expect_err("refused");
    assert_eq!(
        err,
        SendError::Permanent(format!(
            "WhatsApp refused the number {CUSTOMER}: (#131026) Message Undeliverable. (131026)"
        ))
    );

    let wrong =
        WhatsappClient::new(&sim.whatsapp(), Secret::from("wrong-token".to_owned()), TIMEOUT).expect("settings");
    let err = wrong.send_template("+254711000000", "invoice_issued", "en", &[]).await.expect_err("refused");
    assert!(!err.is_permanent(), "{err}");
    assert!(err.to_string().contains("(190)"), "{err}");
    assert_clean(&err);
}

fn generic(
    url: String,
    method: HttpMethod,
    headers: Vec<(String, String)>,
    body: GenericBody,
    template: &str,
) -> SmsProvider {
    SmsProvider::Generic { url, method, headers, body, template: template.to_owned() }
}

#[tokio::test]
async fn a_generic_get_gateway_takes_the_form_in_the_query() {
    let sim = gateway().await;
    let provider = generic(
        format!("{}/generic/send?key={{secret}}", sim.base_url()),
        HttpMethod::Get,
        Vec::new(),
        GenericBody::Form,
        "to={to}\ntext={text}",
    );
    let sms = SmsGateway::new(&provider, secret(&sim.config().generic_secret), TIMEOUT).expect("settings");
    sms.send(CUSTOMER, "Service restored & thanks").await.expect("sent");
    let m = &sim.messages()[0];
    assert_eq!(m.provider, SimProvider::Generic);
    assert_eq!(m.request.method, "GET");
    assert_eq!(
        m.request.path_and_query,
        "/generic/send?key=generic-secret&to=%2B254712345678&text=Service+restored+%26+thanks"
    );
    assert_eq!((m.to.as_str(), m.text.as_deref()), (CUSTOMER, Some("Service restored & thanks")));

    let wrong = SmsGateway::new(&provider, secret("wrong-secret"), TIMEOUT).expect("settings");
    let err = wrong.send(CUSTOMER, "hi").await.expect_err("refused");
    assert!(!err.is_permanent(), "{err}");
    assert_clean(&err);
}

#[tokio::test]
async fn a_generic_post_gateway_takes_json() {
    let sim = gateway().await;
    let provider = generic(
        format!("{}/generic/send", sim.base_url()),
        HttpMethod::Post,
        vec![("X-Api-Key".to_owned(), "{secret}".to_owned())],
        GenericBody::Json,
        r#"{"to": "{to}", "text": "{text}", "sender": "FIBRA"}"#,
    );
    let sms = SmsGateway::new(&provider, secret(&sim.config().generic_secret), TIMEOUT).expect("settings");
    sms.send(CUSTOMER, "Line one\n\"quoted\"").await.expect("sent");
    let m = &sim.messages()[0];
    assert_eq!(m.request.method, "POST");
    assert_eq!(m.request.header("content-type"), Some("application/json"));
    assert_eq!(m.request.header("x-api-key"), Some("generic-secret"));
    let body: serde_json::Value = serde_json::from_slice(&m.request.body).expect("JSON");
    assert_eq!(body, serde_json::json!({"to": CUSTOMER, "text": "Line one\n\"quoted\"", "sender": "FIBRA"}));

    sim.reject_number("+254700000002");
    let err = sms.send("+254700000002", "hi").await.expect_err("refused");
    assert_eq!(
        err,
        SendError::Permanent(
            r#"the SMS gateway refused the message to +254700000002 (HTTP 400): {"error":"invalid destination number +254700000002"}"#
                .into()
        )
    );
}

#[tokio::test]
async fn unavailable_then_recovered() {
    let sim = gateway().await;
    let sms = twilio(&sim);
    sim.fail_next(2);
    for _ in 0..2 {
        let err = sms.send(CUSTOMER, "hi").await.expect_err("unavailable");
        assert!(!err.is_permanent(), "{err}");
        assert!(err.to_string().contains("503"), "{err}");
    }
    sms.send(CUSTOMER, "hi").await.expect("recovered");
    assert_eq!(sim.accepted(), 1);
}

#[tokio::test]
async fn a_slow_provider_times_out() {
    let sim = gateway().await;
    sim.set_latency(Duration::from_millis(500));
    let sms = SmsGateway::new(
        &sim.twilio("+15005550006"),
        secret(&sim.config().twilio_auth_token),
        Duration::from_millis(100),
    )
    .expect("settings");
    let err = sms.send(CUSTOMER, "hi").await.expect_err("too slow");
    assert_eq!(err, SendError::Transient(format!("Twilio at {} did not answer within 100 ms", sim.addr())));
}

#[tokio::test]
async fn connections_are_kept_alive() {
    let sim = gateway().await;
    let sms = twilio(&sim);
    for n in 0..50 {
        sms.send(CUSTOMER, &format!("message {n}")).await.expect("sent");
    }
    assert_eq!(sim.accepted(), 50);
    assert_eq!(sim.connections(), 1);
}

#[tokio::test]
async fn nothing_listening_is_transient() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let provider = SmsProvider::Twilio {
        base_url: format!("http://127.0.0.1:{port}"),
        account_sid: "AC1".to_owned(),
        from: "+1".to_owned(),
    };
    let sms = SmsGateway::new(&provider, secret("token"), TIMEOUT).expect("settings");
    let err = sms.send(CUSTOMER, "hi").await.expect_err("nothing there");
    assert!(err.to_string().starts_with(&format!("could not reach Twilio at 127.0.0.1:{port}")), "{err}");
    assert!(!err.is_permanent());
}
