"""Apps for outreach staff, served by Voilà (``congdanso demos``): no code on screen, big text.

- ``walkthrough``: a presenter mode that takes a synthetic resident through VNeID, the portal, a
  dossier with pre-filled data, the fee, and signing a labour contract, step by step.
- ``dashboard``: adoption by khu phố from a ward's CSV, and training progress from the gradebook.
- ``checker``: "check before you pay / before you sign" for a VietQR or a signed PDF.
- ``scamgame``: scenario cards an audience votes on, then the answer and why.
- ``server``: Voilà with a home page, pre-started kernels, idle culling, and closed pages' kernels
  shut down (Voilà 0.5 refuses that request, its issue #1458).

The apps build their views from the simulated world; none writes files or reaches the network.
"""
