"""OpenSLO v1 files of an agreement's targets: ``reading`` parses and checks a file against the specification,
``exporting`` writes an agreement as one, ``importing`` maps one onto an agreement (a plan to preview, then apply)."""
