"""Digital signatures: the training PKI, remote signing (ký số từ xa), PAdES signing and
verification, the fonts PDFs print with, and the trainer's demo kit."""
