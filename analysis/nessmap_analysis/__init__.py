"""Pictures and summaries from nessmap sweep files (HDF5 in the netCDF-4 layout)."""
