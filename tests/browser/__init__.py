"""Browser tests: JupyterLab and Voila driven by headless Chromium (marker ``browser``)."""
