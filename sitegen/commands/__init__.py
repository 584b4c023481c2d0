"""The commands around the pipeline: the live preview and the editors' tools (check, status,
new, init, i18n). Each reads the site through the pipeline's stages and writes nothing into
the output but what a build writes."""
