//! RESP encoding of commands into a pipeline's buffer (the one place commands are packed).

/// One whole command.
pub fn pack_command(out: &mut Vec<u8>, args: &[&[u8]]) {
    out.push(b'*');
    push_len(out, args.len());
    pack_args(out, args);
}

/// The header of a command whose `arg_count` arguments follow (packed by [`pack_args`]).
pub fn pack_header(out: &mut Vec<u8>, name: &[u8], arg_count: usize) {
    out.push(b'*');
    push_len(out, arg_count + 1);
    pack_args(out, &[name]);
}

/// RESP bulk strings, for arguments of a command packed in parts.
pub fn pack_args(out: &mut Vec<u8>, args: &[&[u8]]) {
    for arg in args {
        out.push(b'$');
        push_len(out, arg.len());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

fn push_len(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_pack_as_resp() {
        let mut out = Vec::new();
        pack_command(&mut out, &[b"SET", b"k", b"hello world"]);
        assert_eq!(out, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$11\r\nhello world\r\n");
        let mut parts = Vec::new();
        pack_header(&mut parts, b"SET", 2);
        pack_args(&mut parts, &[b"k", b"hello world"]);
        assert_eq!(parts, out);
    }
}
