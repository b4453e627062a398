//! The UDP socket a CoT listener reads: bound with a large receive buffer, read with a short
//! timeout (so its thread notices when it is stopped), and asked how many datagrams the kernel
//! dropped because that buffer was full, the loss nothing else would ever see.

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

/// How long one read waits before the thread looks at the clock and its stop flag.
const READ_WAIT: Duration = Duration::from_millis(50);
/// How long binding waits for a port a stopped listener is still letting go of.
const BIND_WAIT: Duration = Duration::from_secs(1);

const SO_RCVBUFFORCE: libc::c_int = 33;
const SO_MEMINFO: libc::c_int = 55;
const SK_MEMINFO_VARS: usize = 9;

pub async fn bind(
    listen: SocketAddr,
    group: Option<Ipv4Addr>,
    receive_buffer: usize,
) -> std::io::Result<UdpSocket> {
    let deadline = Instant::now() + BIND_WAIT;
    let socket = loop {
        match UdpSocket::bind(listen) {
            Ok(socket) => break socket,
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && Instant::now() < deadline => {
                tokio::time::sleep(READ_WAIT).await
            }
            Err(e) => return Err(e),
        }
    };
    if let Some(group) = group {
        let interface = match listen.ip() {
            std::net::IpAddr::V4(ip) => ip,
            std::net::IpAddr::V6(_) => Ipv4Addr::UNSPECIFIED,
        };
        socket.join_multicast_v4(&group, &interface)?;
    }
    set_receive_buffer(&socket, receive_buffer)?;
    socket.set_read_timeout(Some(READ_WAIT))?;
    Ok(socket)
}

/// Asks for `bytes` of receive buffer: past the system's limit (`net.core.rmem_max`) when the
/// process may (CAP_NET_ADMIN), else up to that limit.
fn set_receive_buffer(socket: &UdpSocket, bytes: usize) -> std::io::Result<()> {
    let value = libc::c_int::try_from(bytes).unwrap_or(libc::c_int::MAX);
    if setsockopt(socket, SO_RCVBUFFORCE, value).is_ok() {
        return Ok(());
    }
    setsockopt(socket, libc::SO_RCVBUF, value)
}

fn setsockopt(socket: &UdpSocket, option: libc::c_int, value: libc::c_int) -> std::io::Result<()> {
    // SAFETY: the descriptor is open for the socket's lifetime and `value` outlives the call.
    let rc = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            option,
            (&value as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

/// How much lower than the console's the receiving thread's priority is (a nice value).
const RECEIVER_NICENESS: libc::c_int = 10;

/// Lowers the calling thread's scheduling priority, and only that thread's (on Linux a thread
/// id names one thread to `setpriority`): under a flood the operator's keys then win the CPU
/// over parsing, and what the receiver cannot keep up with is counted as lost, not hidden.
pub fn lower_this_threads_priority() -> std::io::Result<()> {
    // SAFETY: plain system calls on this thread's own id; no memory is passed. getpriority can
    // return -1 as a value, so errno is cleared first and read after.
    let rc = unsafe {
        let tid = libc::gettid() as libc::id_t;
        *libc::__errno_location() = 0;
        let now = libc::getpriority(libc::PRIO_PROCESS, tid);
        if now == -1 && *libc::__errno_location() != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // Relative to what the console was started with (`nice attache`), up to the lowest.
        libc::setpriority(libc::PRIO_PROCESS, tid, (now + RECEIVER_NICENESS).min(19))
    };
    if rc == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

/// The receive buffer the kernel granted, in bytes (it counts its own overhead in it).
pub fn receive_buffer(socket: &UdpSocket) -> std::io::Result<usize> {
    Ok(meminfo(socket)?[libc::SK_MEMINFO_RCVBUF as usize] as usize)
}

/// How many datagrams the kernel has dropped for this socket since it was opened.
pub fn dropped(socket: &UdpSocket) -> std::io::Result<u64> {
    Ok(u64::from(meminfo(socket)?[libc::SK_MEMINFO_DROPS as usize]))
}

fn meminfo(socket: &UdpSocket) -> std::io::Result<[u32; SK_MEMINFO_VARS]> {
    let mut info = [0u32; SK_MEMINFO_VARS];
    let mut len = std::mem::size_of_val(&info) as libc::socklen_t;
    // SAFETY: `info` is writable for `len` bytes, and the kernel writes at most `len`.
    let rc = unsafe {
        libc::getsockopt(socket.as_raw_fd(), libc::SOL_SOCKET, SO_MEMINFO, info.as_mut_ptr().cast(), &mut len)
    };
    if rc == 0 { Ok(info) } else { Err(std::io::Error::last_os_error()) }
}

#[cfg(test)]
mod tests {
    /// This thread's nice value.
    fn niceness() -> libc::c_int {
        // SAFETY: plain system calls on this thread's own id.
        unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) }
    }

    #[test]
    fn the_receiving_thread_alone_gives_way() {
        let before = niceness();
        let (lowered, after) = std::thread::spawn(|| {
            // Started nicer than 0, as under `nice attache`: the receiver goes 10 further.
            // SAFETY: a plain system call on this thread's own id.
            unsafe { libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, niceness() + 3) };
            let lowered = niceness();
            super::lower_this_threads_priority().unwrap();
            (lowered, niceness())
        })
        .join()
        .unwrap();
        assert_eq!(after, (lowered + super::RECEIVER_NICENESS).min(19), "the thread itself is lowered");
        assert_eq!(niceness(), before, "the thread that started it is not");
    }
}
