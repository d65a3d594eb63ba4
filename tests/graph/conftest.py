"""Fixtures for the calendar tests: one HTTPS fake of Graph and its token endpoint per session.

The real `msgraph-sdk` client and `azure-identity` credential talk to it; the only change from
production is the two URLs (`GRAPH_BASE_URL`, `GRAPH_AUTHORITY`) and the trusted certificate.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.graph_server import FakeGraphServer, make_certificate
from graph_helpers import ORGANISER

from bot.calendar.graph import warm_up
from bot.settings import Settings


@pytest.fixture(scope="session")
def graph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeGraphServer]:
    cert = make_certificate(tmp_path_factory.mktemp("graph-cert"))
    saved = {k: os.environ.get(k) for k in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")}
    os.environ["SSL_CERT_FILE"] = str(cert.cert_file)
    os.environ["REQUESTS_CA_BUNDLE"] = str(cert.cert_file)
    server = FakeGraphServer(cert, organiser=ORGANISER).start()
    warm_up()  # the SDK's one-off model imports, paid once here rather than inside a timed test
    try:
        yield server
    finally:
        server.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture
def fake(graph_server: FakeGraphServer) -> FakeGraphServer:
    graph_server.reset()
    return graph_server


@pytest.fixture
def settings(fake: FakeGraphServer) -> Settings:
    return Settings.model_validate(
        {
            "GRAPH_TENANT_ID": fake.tenant,
            "GRAPH_CLIENT_ID": fake.client_id,
            "GRAPH_CLIENT_SECRET": fake.client_secret,
            "GRAPH_ORGANISER": ORGANISER,
            "GRAPH_BASE_URL": fake.base_url,
            "GRAPH_AUTHORITY": fake.authority,
        }
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The SDK's request builders warn about their own deprecated config classes on first use;
    that is msgraph-sdk's business, not ours, so keep it out of this suite's summary."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning"))
            item.add_marker(
                pytest.mark.filterwarnings("ignore:GetQueryParameters is deprecated:DeprecationWarning")
            )
