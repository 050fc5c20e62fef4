"""``retrograd.utils``: PyTorch's ``torch.utils`` helpers (``utils.checkpoint``)."""
