"""The load benchmark (`make bench`): real Socket.IO clients against real server processes.

- ``servers``: the server under test as processes (``python wsgi.py`` or the bare
  baseline), with their CPU time and resident memory watched through psutil.
- ``setup``: the meetings, proposals and open votes, made by the app's own operations.
- ``load``: the load generator's worker processes, each running many asyncio clients.
- ``scenarios``: the six scenarios of docs/performance.md, each returning one result.
- ``pinning``: cores of their own for the servers in the sweep, where there are 4 or more.
- ``__main__``: ``python -m bench``, which runs them (or the sweep) and prints the table.

Traffic stays on 127.0.0.1, and every loop is bounded in count and in time.
"""
