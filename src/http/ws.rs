//! GraphQL over WebSocket on `/graphql`: `graphql-transport-ws` and the legacy
//! `graphql-ws` (subscriptions-transport-ws) subprotocols.
//!
//! The socket is read on the actix worker that accepted it (its stream is bound to that
//! thread), but the protocol and every subscription run as one task on the multi-thread
//! runtime (see [`super::gateway`]): when the client completes a subscription or drops the
//! connection, the streams are dropped there, where an interrupted database read can be
//! waited for, and their connections go back to the pool.
//!
//! Authentication (`--auth required`): the token comes from the `connection_init` payload
//! (`{"Authorization": "Bearer …"}`, the key in any case, also under `headers`), or else
//! from the upgrade request's `Authorization` header. A connection without a valid token
//! is closed with 4401. Each operation is checked against the token's role like an HTTP
//! request, and the token itself is checked again when an operation starts and every
//! subscription poll interval: once it is revoked or expired, the socket closes with 4401
//! and its subscriptions end.

use super::gateway::{Gateway, TokenCheck};
use super::problem::error_response;
use super::AppState;
use crate::auth::{bearer_token, secret, AuthFailure, AuthMode, Caller};
use crate::error::AppError;
use crate::graphql::error::ErrorCode;
use crate::graphql::loaders::new_loaders;
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason};
use async_graphql::http::{
    WebSocket, WebSocketProtocols as Protocols, WsMessage, ALL_WEBSOCKET_PROTOCOLS,
};
use futures::StreamExt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Messages queued from the socket to the protocol task before reading pauses.
const INBOUND_QUEUE: usize = 64;

/// Picks the subprotocol: the first one the client offers that the server speaks; the
/// legacy protocol when the client names none (older clients); `None` when it offers only
/// others.
fn choose_protocol(request: &HttpRequest) -> Option<Protocols> {
    let offered: Vec<String> = request
        .headers()
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(',').map(|p| p.trim().to_string()))
        .filter(|p| !p.is_empty())
        .collect();
    if offered.is_empty() {
        return Some(Protocols::SubscriptionsTransportWS);
    }
    offered.iter().find_map(|p| p.parse::<Protocols>().ok())
}

/// The close frame sent for a protocol-level close: a fixed, short reason per code (a
/// close frame carries at most 123 bytes of reason, and parser or serde messages must not
/// reach clients), and the codes graphql-transport-ws defines.
fn close_frame(protocol: Protocols, code: u16) -> CloseReason {
    let (code, reason) = match (protocol, code) {
        // Unparsable or unknown message.
        (Protocols::GraphQLWS, 1002) => (4400, "Invalid message received"),
        (_, 1002) => (1002, "Invalid message received"),
        // `subscribe` before `connection_ack`.
        (Protocols::GraphQLWS, 1011) => (4401, "Unauthorized"),
        (_, 1011) => (1011, "Unauthorized"),
        (_, 4429) => (4429, "Too many initialisation requests"),
        (_, 4400) => (4400, "Invalid message received"),
        (_, 4401) => (4401, "Unauthorized"),
        (_, 4403) => (4403, "Forbidden"),
        (_, 3008) => (3008, "Connection initialisation timeout"),
        (_, other) => (other, "Closed"),
    };
    CloseReason {
        code: CloseCode::Other(code),
        description: Some(reason.to_string()),
    }
}

/// `GET /graphql` with `Upgrade: websocket`. The origin was checked by
/// [`super::origin::guard`] before this runs.
pub async fn upgrade(
    state: web::Data<AppState>,
    request: HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let Some(protocol) = choose_protocol(&request) else {
        return Ok(error_response(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadUserInput,
            "unsupported WebSocket subprotocol; use graphql-transport-ws or graphql-ws",
        ));
    };
    let (response, session, messages) =
        actix_ws::handle_with_protocols(&request, payload, &ALL_WEBSOCKET_PROTOCOLS)?;
    let max_message = state.max_body_bytes;
    let mut messages = messages
        .max_frame_size(max_message)
        .aggregate_continuations()
        .max_continuation_size(max_message);
    let (inbound, inbound_rx) = tokio::sync::mpsc::channel::<Vec<u8>>(INBOUND_QUEUE);

    // The reader stays on this worker; it ends when the client closes or drops the socket,
    // or when the protocol task is gone.
    let mut pong_session = session.clone();
    // (also used to close the socket when a frame is too large or malformed)
    actix_web::rt::spawn(async move {
        while let Some(message) = messages.recv().await {
            let sent = match message {
                Ok(AggregatedMessage::Text(text)) => inbound.send(text.as_bytes().to_vec()).await,
                Ok(AggregatedMessage::Binary(bytes)) => inbound.send(bytes.to_vec()).await,
                Ok(AggregatedMessage::Ping(bytes)) => {
                    let _ = pong_session.pong(&bytes).await;
                    Ok(())
                }
                Ok(AggregatedMessage::Pong(_)) => Ok(()),
                Ok(AggregatedMessage::Close(_)) => break,
                Err(error) => {
                    let code = match error {
                        actix_ws::ProtocolError::Overflow => CloseCode::Size,
                        _ => CloseCode::Protocol,
                    };
                    let _ = pong_session.close(Some(code.into())).await;
                    break;
                }
            };
            if sent.is_err() {
                break;
            }
        }
    });

    let access = Access {
        mode: state.auth,
        header: super::auth::authorization(request.headers()).map(str::to_string),
        recheck: state.poll_interval,
    };
    let gateway = state.gateway.clone();
    state.gateway.runtime().spawn(serve_protocol(
        gateway, protocol, inbound_rx, session, access,
    ));
    Ok(response)
}

/// How a connection is authenticated.
struct Access {
    /// `--auth`, resolved.
    mode: AuthMode,
    /// The upgrade request's `Authorization` value, used when `connection_init` has none.
    header: Option<String>,
    /// How often the connection's token is checked again.
    recheck: Duration,
}

/// The `Authorization` value a `connection_init` payload carries: the key in any case, at
/// the top or under `headers` (as some clients send it). A value that is not a string reads
/// as empty, and so as malformed.
fn payload_authorization(payload: &serde_json::Value) -> Option<String> {
    let find = |object: &serde_json::Map<String, serde_json::Value>| {
        object
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case("authorization"))
            .map(|(_, value)| value.as_str().unwrap_or("").to_string())
    };
    let object = payload.as_object()?;
    find(object).or_else(|| {
        object
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case("headers"))
            .and_then(|(_, headers)| headers.as_object())
            .and_then(find)
    })
}

/// The caller of a connection and the hash of its token (`None` with `--auth off`), or the
/// close code refusing it: 4401 for a missing or refused token, 4500 when the database
/// could not be asked.
async fn authenticate_connection(
    db: &crate::db::Db,
    mode: AuthMode,
    authorization: Option<&str>,
) -> Result<(Caller, Option<String>), (u16, String)> {
    if mode == AuthMode::Off {
        return Ok((Caller::unauthenticated_manager(), None));
    }
    let refused = |failure: AuthFailure| (4401, failure.to_string());
    let token = bearer_token(authorization)
        .map_err(refused)?
        .ok_or_else(|| refused(AuthFailure::Missing))?;
    let hash = secret::hash(token);
    match crate::store::tokens::authenticate_hash(db, &hash).await {
        Ok(caller) => Ok((caller, Some(hash))),
        Err(AppError::Unauthenticated(failure)) => Err(refused(failure)),
        Err(error) => {
            tracing::warn!(%error, "a WebSocket token check failed");
            Err((4500, "the token could not be checked; retry".to_string()))
        }
    }
}

/// Runs the subprotocol over the client's messages and sends its answers, on the
/// multi-thread runtime. Returning drops every open subscription.
async fn serve_protocol(
    gateway: Gateway,
    protocol: Protocols,
    inbound: tokio::sync::mpsc::Receiver<Vec<u8>>,
    mut session: actix_ws::Session,
    access: Access,
) {
    let incoming = futures::stream::unfold(inbound, |mut inbound| async move {
        inbound.recv().await.map(|message| (message, inbound))
    });
    let db = gateway.db().clone();
    // Set by the handshake: the close code refusing the connection, and the hash of the
    // token it was accepted with.
    let refusal: Arc<Mutex<Option<u16>>> = Arc::default();
    let accepted: Arc<Mutex<Option<String>>> = Arc::default();
    let (init_db, init_refusal, init_accepted) = (db.clone(), refusal.clone(), accepted.clone());
    let (mode, header) = (access.mode, access.header);
    let connection =
        WebSocket::new(gateway, incoming, protocol).on_connection_init(move |payload| async move {
            let authorization = payload_authorization(&payload).or(header);
            match authenticate_connection(&init_db, mode, authorization.as_deref()).await {
                Ok((caller, hash)) => {
                    let mut data = async_graphql::Data::default();
                    data.insert(new_loaders(init_db, Default::default()));
                    data.insert(caller);
                    if let Some(hash) = hash {
                        data.insert(TokenCheck { hash: hash.clone() });
                        *init_accepted.lock().unwrap_or_else(|e| e.into_inner()) = Some(hash);
                    }
                    Ok(data)
                }
                Err((code, message)) => {
                    *init_refusal.lock().unwrap_or_else(|e| e.into_inner()) = Some(code);
                    Err(async_graphql::Error::new(message))
                }
            }
        });
    let refused = || *refusal.lock().unwrap_or_else(|e| e.into_inner());
    futures::pin_mut!(connection);
    let mut recheck = tokio::time::interval(access.recheck.max(Duration::from_millis(10)));
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            message = connection.next() => match message {
                Some(WsMessage::Text(text)) => {
                    if session.text(text).await.is_err() {
                        return;
                    }
                }
                Some(WsMessage::Close(code, _detail)) => {
                    let code = refused().unwrap_or(code);
                    let _ = session.close(Some(close_frame(protocol, code))).await;
                    return;
                }
                None => break,
            },
            _ = recheck.tick() => {
                let hash = accepted.lock().unwrap_or_else(|e| e.into_inner()).clone();
                let Some(hash) = hash else { continue };
                match crate::store::tokens::authenticate_hash(&db, &hash).await {
                    Err(AppError::Unauthenticated(_)) => {
                        let _ = session.close(Some(close_frame(protocol, 4401))).await;
                        return;
                    }
                    Err(error) => tracing::warn!(%error, "a WebSocket token check failed; retrying"),
                    Ok(_) => {}
                }
            }
        }
    }
    // The legacy protocol refuses a handshake with a message, then ends.
    let _ = session
        .close(refused().map(|code| close_frame(protocol, code)))
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_frames_are_short_and_fixed() {
        for protocol in [Protocols::GraphQLWS, Protocols::SubscriptionsTransportWS] {
            for code in [1002, 1011, 3008, 4400, 4401, 4403, 4429, 4500, 1000] {
                let frame = close_frame(protocol, code);
                let reason = frame.description.unwrap_or_default();
                assert!(reason.len() <= 123, "{reason}");
                assert!(!reason.contains("enum") && !reason.contains("variant"));
            }
        }
        assert_eq!(
            close_frame(Protocols::GraphQLWS, 1002).code,
            CloseCode::Other(4400)
        );
    }

    #[test]
    fn tokens_are_found_in_connection_init_payloads() {
        let read = |payload: serde_json::Value| payload_authorization(&payload);
        assert_eq!(
            read(serde_json::json!({"Authorization": "Bearer a"})).as_deref(),
            Some("Bearer a")
        );
        assert_eq!(
            read(serde_json::json!({"authorization": "Bearer b"})).as_deref(),
            Some("Bearer b")
        );
        assert_eq!(
            read(serde_json::json!({"headers": {"AUTHORIZATION": "Bearer c"}})).as_deref(),
            Some("Bearer c")
        );
        assert_eq!(
            read(serde_json::json!({"Authorization": 7})).as_deref(),
            Some("")
        );
        assert_eq!(read(serde_json::json!({})), None);
        assert_eq!(read(serde_json::Value::Null), None);
    }
}
