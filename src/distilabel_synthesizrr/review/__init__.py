"""Review in Argilla: what a reviewer sees (`layout`), the connection (`client`), pushing a run and
pulling the reviewed rows back (`argilla`), and the `SynthesizedToArgilla` step (`step`)."""
