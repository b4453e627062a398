//! TCP keepalive for the long-lived streams to TAK servers (cot-tcp feeds, `[[cot_out]]`): an
//! embassy link that dies without a FIN or RST otherwise looks healthy for the quarter hour the
//! kernel takes to give up, while a feed that only reads hears nothing and a destination that
//! writes counts its events as sent. Probes after `IDLE` quiet, `INTERVAL` apart, `PROBES` of
//! them, and a `USER_TIMEOUT` on data left unacknowledged, end such a connection within about a
//! minute, and the usual reconnection takes over.

use std::os::fd::AsRawFd;

/// Quiet time before the first probe, seconds.
pub const IDLE: libc::c_int = 30;
/// Time between probes, seconds.
pub const INTERVAL: libc::c_int = 10;
/// Unanswered probes before the connection is given up.
pub const PROBES: libc::c_int = 3;
/// How long written data may stay unacknowledged before the connection is given up, ms.
pub const USER_TIMEOUT_MS: libc::c_int = 60_000;

/// Turns keepalive and the user timeout on for `stream`.
pub fn set(stream: &tokio::net::TcpStream) -> std::io::Result<()> {
    let fd = stream.as_raw_fd();
    setsockopt(fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE, 1)?;
    setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPIDLE, IDLE)?;
    setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPINTVL, INTERVAL)?;
    setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPCNT, PROBES)?;
    setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_USER_TIMEOUT, USER_TIMEOUT_MS)
}

fn setsockopt(
    fd: libc::c_int,
    level: libc::c_int,
    option: libc::c_int,
    value: libc::c_int,
) -> std::io::Result<()> {
    // SAFETY: the descriptor is open while the stream is borrowed and `value` outlives the call.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            level,
            option,
            (&value as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn getsockopt(fd: libc::c_int, level: libc::c_int, option: libc::c_int) -> libc::c_int {
        let mut value: libc::c_int = 0;
        let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: `value` and `len` are valid for the call and sized for an int.
        let rc =
            unsafe { libc::getsockopt(fd, level, option, (&mut value as *mut libc::c_int).cast(), &mut len) };
        assert_eq!(rc, 0, "{}", std::io::Error::last_os_error());
        value
    }

    #[tokio::test]
    async fn a_stream_is_given_keepalive_probes_and_a_user_timeout() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let stream = tokio::net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
        set(&stream).unwrap();
        let fd = stream.as_raw_fd();
        assert_eq!(getsockopt(fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE), 1);
        assert_eq!(getsockopt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPIDLE), IDLE);
        assert_eq!(getsockopt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPINTVL), INTERVAL);
        assert_eq!(getsockopt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPCNT), PROBES);
        assert_eq!(getsockopt(fd, libc::IPPROTO_TCP, libc::TCP_USER_TIMEOUT), USER_TIMEOUT_MS);
    }
}
