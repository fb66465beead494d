"""Where HFTKit processes keep their ipc:// socket files: the same resolution as Swift's IPCDirectory.

1. $HFT_IPC_DIR when set and not empty;
2. $XDG_RUNTIME_DIR/hftkit when XDG_RUNTIME_DIR is set;
3. /tmp/hftkit-<uid>.
"""

import os


def ipc_dir() -> str:
    d = os.environ.get("HFT_IPC_DIR")
    if d:
        return d.rstrip("/") or "/"
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return runtime.rstrip("/") + "/hftkit"
    return f"/tmp/hftkit-{os.getuid()}"


def prepare(directory: str | None = None) -> str:
    """Creates the directory and its command/ folder, private to the user (0700)."""
    d = directory or ipc_dir()
    for path in (d, os.path.join(d, "command")):
        os.makedirs(path, mode=0o700, exist_ok=True)
        st = os.lstat(path)
        if st.st_uid != os.getuid():
            raise PermissionError(f"{path} belongs to uid {st.st_uid}; set HFT_IPC_DIR to a directory of your own")
        if st.st_mode & 0o077:
            os.chmod(path, 0o700)
    return d


def command_endpoint(process_id: str, directory: str | None = None) -> str:
    return f"ipc://{directory or ipc_dir()}/command/{process_id}.ipc"


def market_data_endpoint(exchange: str, channel: str, directory: str | None = None) -> str:
    return f"ipc://{directory or ipc_dir()}/{exchange}.{channel}.ipc"
