//! GraphQL over WebSocket on `/graphql`: `graphql-transport-ws` and the legacy
//! `graphql-ws` (subscriptions-transport-ws) subprotocols.
//!
//! The socket is read on the actix worker that accepted it (its stream is bound to that
//! thread), but the protocol and every subscription run as one task on the multi-thread
//! runtime (see [`super::gateway`]): when the client completes a subscription or drops the
//! connection, the streams are dropped there, where an interrupted database read can be
//! waited for, and their connections go back to the pool.

use super::gateway::Gateway;
use super::problem::error_response;
use super::AppState;
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

    let gateway = state.gateway.clone();
    state
        .gateway
        .runtime()
        .spawn(serve_protocol(gateway, protocol, inbound_rx, session));
    Ok(response)
}

/// Runs the subprotocol over the client's messages and sends its answers, on the
/// multi-thread runtime. Returning drops every open subscription.
async fn serve_protocol(
    gateway: Gateway,
    protocol: Protocols,
    inbound: tokio::sync::mpsc::Receiver<Vec<u8>>,
    mut session: actix_ws::Session,
) {
    let incoming = futures::stream::unfold(inbound, |mut inbound| async move {
        inbound.recv().await.map(|message| (message, inbound))
    });
    let db = gateway.db().clone();
    let connection = WebSocket::new(gateway, incoming, protocol).on_connection_init(
        move |_payload| async move {
            let mut data = async_graphql::Data::default();
            data.insert(new_loaders(db));
            Ok(data)
        },
    );
    futures::pin_mut!(connection);
    while let Some(message) = connection.next().await {
        match message {
            WsMessage::Text(text) => {
                if session.text(text).await.is_err() {
                    return;
                }
            }
            WsMessage::Close(code, _detail) => {
                let _ = session.close(Some(close_frame(protocol, code))).await;
                return;
            }
        }
    }
    let _ = session.close(None).await;
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
}
