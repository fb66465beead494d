"""HFTKit's IPC for Python processes: the command system and market-data pub/sub, wire-compatible with the
Swift implementation (Sources/HFTIPC). See python/README.md."""

from .ipc_dir import ipc_dir, command_endpoint, market_data_endpoint

__all__ = ["ipc_dir", "command_endpoint", "market_data_endpoint"]
