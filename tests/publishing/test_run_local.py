"""`make run`'s supervisor starts an embedded Redis when none answers (a fresh machine)."""

from __future__ import annotations

import socket

import redis

from publishing.management.commands.run_local import Command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_embedded_redis_is_started_when_nothing_answers(tmp_path, settings, monkeypatch):
    port = free_port()
    monkeypatch.delenv("REDIS_URL", raising=False)
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    command = Command()
    command.children = []
    try:
        command._start_redis_if_needed(tmp_path)
        assert [name for name, _ in command.children] == ["redis"]
        assert redis.Redis(port=port).ping() is True
    finally:
        command._stop()
    assert all(child.poll() is not None for _, child in command.children)


def test_a_running_redis_is_used_as_it_is(tmp_path, settings):
    command = Command()
    command.children = []
    command._start_redis_if_needed(tmp_path)  # settings.REDIS_URL answers in the test setup
    assert command.children == []
