import pytest
import torch


@pytest.fixture(autouse=True)
def _quiet_deterministic_torch():
    # One thread: two OpenMP threads on a busy 2-core machine can run 10-60x slower.
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    yield
    torch.use_deterministic_algorithms(False)
