#!/usr/bin/python3
"""Checks the netCDF-4 file written by tests/test_netcdf.cpp (the "full" data set).

Usage: netcdf_check.py FILE

Opens FILE with xarray's default engine, with engine="h5netcdf", with engine="netcdf4", with the
netCDF4 library itself and with h5py, and compares what each returns with the values computed
here from the same formulas as the C++ test (kept in step with full_dataset() there; every value
is exact in binary, so the comparisons are exact); and reads `ncdump -h FILE` (netCDF-C's own
tool) for the dimensions, types and attributes. Prints every mismatch and exits with 1 if there
is one, 0 otherwise.
"""

import math
import subprocess
import sys
import traceback

import h5py
import netCDF4
import numpy as np
import xarray as xr

# ---- What the C++ test wrote ---------------------------------------------------------------------

N_OMEGA, N_BATH, N_N, N_QUBIT, N_SAMPLE = 4, 3, 3, 2, 200000
SIZES = {"omega_ratio": N_OMEGA, "bath": N_BATH, "N": N_N, "qubit": N_QUBIT, "sample": N_SAMPLE}
DIMENSION_ORDER = ["omega_ratio", "bath", "N", "qubit", "sample"]
VARIABLE_ORDER = ["heat_current", "population", "regime", "iterations", "bath_label", "spectrum"]
BATHS = ["hot", "cold", "\u03c4-bath"]
N_VALUES = [2, 3, 5]
OMEGAS = [0.5 + 0.25 * i for i in range(N_OMEGA)]
NAN = float("nan")


def heat(i, j):
    return NAN if (i + j) % 4 == 3 else 0.25 * i - 1.5 * j + 0.0625 * i * j


def population(i, j, k):
    return NAN if (i + j + k) % 5 == 0 else i + 0.5 * j - 0.125 * k


def regime(i, j):
    return -1 if (i, j) == (3, 2) else (i + 2 * j) % 5


EXPECTED_RAW = {
    "heat_current": np.array([[heat(i, j) for j in range(N_BATH)] for i in range(N_OMEGA)]),
    "population": np.array(
        [[[population(i, j, k) for k in range(N_QUBIT)] for j in range(N_BATH)]
         for i in range(N_OMEGA)]),
    "regime": np.array([[regime(i, j) for j in range(N_BATH)] for i in range(N_OMEGA)],
                       dtype=np.int8),
    "iterations": np.array([[100 * i + n - 7 for n in N_VALUES] for i in range(N_OMEGA)],
                           dtype=np.int64),
    "bath_label": np.array(["the hot one", "", "\u03c4"], dtype=object),
    "spectrum": 0.25 * np.arange(N_SAMPLE)[None, :] - 1000.0 * np.arange(N_OMEGA)[:, None],
}
# What xarray returns after decoding: regime has _FillValue -1, so it becomes float with NaN there.
EXPECTED_DECODED = dict(EXPECTED_RAW)
EXPECTED_DECODED["regime"] = np.where(EXPECTED_RAW["regime"] == -1, NAN,
                                      EXPECTED_RAW["regime"].astype(float))
DIMS = {
    "heat_current": ("omega_ratio", "bath"),
    "population": ("omega_ratio", "bath", "qubit"),
    "regime": ("omega_ratio", "bath"),
    "iterations": ("omega_ratio", "N"),
    "bath_label": ("bath",),
    "spectrum": ("omega_ratio", "sample"),
}
RAW_DTYPES = {"heat_current": "<f8", "population": "<f8", "regime": "|i1", "iterations": "<i8",
              "spectrum": "<f8"}
DESCRIPTION = ("First line of the description.\n"
               "Second line: \u03c9_h / \u03c9_c \u2208 [0.5, 1.25]\n"
               "\tindented, \"quoted\", back\\slash\n")
GLOBAL_TEXT = {"title": "nessmap netCDF test", "description": DESCRIPTION, "empty": "",
               "one_char": "x"}
GLOBAL_NUMBERS = {"T_h": ("f8", [2.5]), "seed": ("i8", [9007199254740993]),
                  "g_h": ("f8", [0.5, 0.55]), "levels": ("i8", [-3, 0, 7])}
GLOBAL_ORDER = ["title", "description", "T_h", "seed", "g_h", "levels", "empty", "one_char"]
VARIABLE_TEXT = {
    "heat_current": {"long_name": "heat current from the hot bath", "units": "omega_c"},
    "population": {"long_name": "excited-state population"},
    "regime": {"long_name": "operating regime",
               "flag_meanings": "none engine refrigerator accelerator heater"},
    "iterations": {"units": "1"},
    "bath_label": {"long_name": "label"},
    "spectrum": {"comment": "chunked"},
    "omega_ratio": {"long_name": "omega_h / omega_c", "units": "1"},
    "bath": {"long_name": "bath configuration"},
    "N": {"long_name": "number of qubits"},
}
NOT_A_VARIABLE = "This is a netCDF dimension but not a netCDF variable."

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def same_values(actual, expected):
    """Exact equality, NaN equal to NaN, strings compared as str."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    if actual.shape != expected.shape:
        return False
    if expected.dtype == object:
        return all(isinstance(a, str) and a == e for a, e in zip(actual.flat, expected.flat))
    return bool(np.array_equal(actual, expected, equal_nan=expected.dtype.kind == "f"))


def number_list(value):
    """(dtype kind+size, values) of a numeric attribute, whether scalar or 1-D array."""
    a = np.asarray(value)
    return a.dtype.kind + str(a.dtype.itemsize), a.reshape(-1).tolist()


def normalised(value):
    if isinstance(value, str):
        return ("str", value)
    if isinstance(value, bytes):
        return ("bytes", value)
    return number_list(value)


# ---- xarray ---------------------------------------------------------------------------------------

def check_xarray(path, label, **kwargs):
    with xr.open_dataset(path, **kwargs) as ds:
        ds.load()
        check(dict(ds.sizes) == SIZES, f"{label}: sizes {dict(ds.sizes)} != {SIZES}")
        check(list(ds.data_vars) == VARIABLE_ORDER,
              f"{label}: variables {list(ds.data_vars)} != {VARIABLE_ORDER} (order given)")
        check(set(ds.coords) == {"omega_ratio", "bath", "N"},
              f"{label}: coordinates {list(ds.coords)}")
        for name in ("qubit", "sample"):
            check(name not in ds.variables, f"{label}: dimension {name} shows as a variable")

        check(ds["omega_ratio"].dtype == np.float64 and same_values(ds["omega_ratio"], OMEGAS),
              f"{label}: omega_ratio = {ds['omega_ratio'].values!r}")
        check(ds["N"].dtype == np.int64 and same_values(ds["N"], N_VALUES),
              f"{label}: N = {ds['N'].values!r} ({ds['N'].dtype})")
        check(same_values(ds["bath"].values, np.array(BATHS, dtype=object)),
              f"{label}: bath = {ds['bath'].values!r} (want str {BATHS!r})")

        for name in VARIABLE_ORDER:
            var = ds[name]
            check(var.dims == DIMS[name], f"{label}: {name} dims {var.dims} != {DIMS[name]}")
            check(same_values(var.values, EXPECTED_DECODED[name]),
                  f"{label}: {name} values differ:\n{var.values!r}\nwant\n"
                  f"{EXPECTED_DECODED[name]!r}")
        for name in ("heat_current", "population"):
            nan_at = np.isnan(ds[name].values)
            check(np.array_equal(nan_at, np.isnan(EXPECTED_RAW[name])) and nan_at.any(),
                  f"{label}: {name} NaN positions differ")
            fill = ds[name].encoding.get("_FillValue")
            check(fill is not None and math.isnan(fill),
                  f"{label}: {name} _FillValue {fill!r}, want NaN")
        fill = ds["regime"].encoding.get("_FillValue")
        check(fill is not None and fill == -1 and np.asarray(fill).dtype == np.int8,
              f"{label}: regime _FillValue {fill!r} ({np.asarray(fill).dtype}), want int8 -1")
        check(ds["regime"].encoding.get("dtype") == np.int8,
              f"{label}: regime on disk {ds['regime'].encoding.get('dtype')}, want int8")
        flags = ds["regime"].attrs.get("flag_values")
        check(flags is not None and number_list(flags) == ("i1", [0, 1, 2, 3, 4]),
              f"{label}: regime flag_values {flags!r}, want int8 [0..4]")

        for name, attrs in VARIABLE_TEXT.items():
            for key, want in attrs.items():
                got = ds[name].attrs.get(key)
                check(type(got) is str and got == want,
                      f"{label}: {name}.{key} = {got!r} ({type(got).__name__}), want str {want!r}")

        for key, want in GLOBAL_TEXT.items():
            got = ds.attrs.get(key)
            check(type(got) is str and got == want,
                  f"{label}: global {key} = {got!r} ({type(got).__name__}), want str {want!r}")
        for key, want in GLOBAL_NUMBERS.items():
            got = ds.attrs.get(key)
            check(got is not None and number_list(got) == want,
                  f"{label}: global {key} = {got!r}, want {want}")
        check(list(ds.attrs) == GLOBAL_ORDER,
              f"{label}: global attributes in order {list(ds.attrs)}, want {GLOBAL_ORDER}")
        return {
            "values": {name: ds[name].values for name in list(ds.variables)},
            "attrs": {name: {k: normalised(v) for k, v in ds[name].attrs.items()}
                      for name in ds.variables},
            "global": {k: normalised(v) for k, v in ds.attrs.items()},
        }


def compare_readers(results):
    """Every reader returns the same values and attributes as the first."""
    (first_label, first), *rest = results.items()
    for label, other in rest:
        check(set(other["values"]) == set(first["values"]),
              f"{label} vs {first_label}: variables {sorted(other['values'])} vs "
              f"{sorted(first['values'])}")
        for name in set(other["values"]) & set(first["values"]):
            a, b = np.asarray(other["values"][name]), np.asarray(first["values"][name])
            check(a.dtype == b.dtype and same_values(a, b) if b.dtype != object
                  else same_values(a, b),
                  f"{label} vs {first_label}: {name} differs ({a.dtype} vs {b.dtype})")
            check(other["attrs"].get(name) == first["attrs"].get(name),
                  f"{label} vs {first_label}: attributes of {name}: "
                  f"{other['attrs'].get(name)} vs {first['attrs'].get(name)}")
        check(other["global"] == first["global"],
              f"{label} vs {first_label}: global attributes {other['global']} vs {first['global']}")


# ---- netCDF4 (netCDF-C) directly ------------------------------------------------------------------

def check_netcdf4(path):
    with netCDF4.Dataset(path) as nc:
        check(nc.data_model == "NETCDF4", f"netCDF4: data model {nc.data_model}")
        check(list(nc.dimensions) == DIMENSION_ORDER,
              f"netCDF4: dimensions {list(nc.dimensions)} != {DIMENSION_ORDER}")
        check({k: len(v) for k, v in nc.dimensions.items()} == SIZES,
              "netCDF4: dimension sizes differ")
        want_vars = ["omega_ratio", "bath", "N"] + VARIABLE_ORDER
        check(list(nc.variables) == want_vars, f"netCDF4: variables {list(nc.variables)}")
        check(nc["regime"].dtype == np.int8, f"netCDF4: regime type {nc['regime'].dtype}")
        check(nc["bath"].dtype is str, f"netCDF4: bath type {nc['bath'].dtype}")
        check(nc.ncattrs() == GLOBAL_ORDER, f"netCDF4: global attributes {nc.ncattrs()}")
        check(nc.getncattr("description") == DESCRIPTION, "netCDF4: description differs")
        raw = nc["regime"]
        raw.set_auto_mask(False)
        check(same_values(raw[:], EXPECTED_RAW["regime"]), "netCDF4: raw regime differs")


# ---- h5py: the HDF5 layout itself -----------------------------------------------------------------

def check_h5py(path):
    tracked = h5py.h5p.CRT_ORDER_TRACKED | h5py.h5p.CRT_ORDER_INDEXED
    with h5py.File(path, "r") as f:
        gcpl = f["/"].id.get_create_plist()
        check(gcpl.get_link_creation_order() == tracked,
              f"h5py: root link creation order {gcpl.get_link_creation_order()}")
        check(gcpl.get_attr_creation_order() == tracked,
              f"h5py: root attribute creation order {gcpl.get_attr_creation_order()}")
        created = []  # h5py lists a group's members by name; ask for creation order itself
        f.id.links.iterate(lambda name: created.append(name.decode()),
                           idx_type=h5py.h5.INDEX_CRT_ORDER)
        check(created == DIMENSION_ORDER + VARIABLE_ORDER, f"h5py: datasets created {created}")
        # netCDF-C's own hidden attribute (ncdump shows it with -s) comes first.
        check(list(f.attrs)[:1] == ["_NCProperties"]
              and f.attrs["_NCProperties"].startswith(b"version=2,netcdf="),
              f"h5py: no _NCProperties of netCDF-C first: {list(f.attrs)[:1]}")
        check([a for a in f.attrs if a != "_NCProperties"] == GLOBAL_ORDER,
              f"h5py: global attributes {list(f.attrs)}")
        # ASCII text is NC_CHAR (a fixed-length string); text with non-ASCII bytes is NC_STRING
        # (variable-length UTF-8), since netCDF-C's NC_CHAR is ASCII to h5netcdf.
        check(h5py.check_string_dtype(f.attrs.get_id("title").dtype).length is not None,
              "h5py: title is not a fixed-length string (NC_CHAR)")
        info = h5py.check_string_dtype(f.attrs.get_id("description").dtype)
        check(info.length is None and info.encoding == "utf-8",
              f"h5py: description is not a variable-length UTF-8 string (NC_STRING): {info}")
        check(np.asarray(f.attrs["description"]).reshape(-1).tolist() == [DESCRIPTION],
              "h5py: description differs")
        check(h5py.check_string_dtype(f.attrs.get_id("one_char").dtype).length is None,
              "h5py: one-character text is not a variable-length string")

        for i, name in enumerate(DIMENSION_ORDER):
            ds = f[name]
            check(h5py.h5ds.is_scale(ds.id), f"h5py: {name} is not a dimension scale")
            check(ds.shape == (SIZES[name],), f"h5py: {name} shape {ds.shape}")
            check(int(ds.attrs["_Netcdf4Dimid"]) == i,
                  f"h5py: {name} _Netcdf4Dimid {ds.attrs['_Netcdf4Dimid']}")
            check(ds.id.get_create_plist().get_attr_creation_order() == tracked,
                  f"h5py: {name} attribute creation order not tracked")
        for name in ("qubit", "sample"):
            ds = f[name]
            want = f"{NOT_A_VARIABLE}{SIZES[name]:10d}".encode()
            check(ds.attrs["NAME"] == want, f"h5py: {name} NAME {ds.attrs['NAME']!r} != {want!r}")
            check(ds.dtype == np.dtype(">f4"), f"h5py: {name} dtype {ds.dtype}")
            check(ds.id.get_storage_size() == 0, f"h5py: {name} has data written")
        check(f["omega_ratio"].attrs["NAME"] == b"omega_ratio", "h5py: omega_ratio NAME")
        check(f["N"].dtype == np.dtype("<i8"), f"h5py: N dtype {f['N'].dtype}")
        for name in ("bath", "bath_label"):
            info = h5py.check_string_dtype(f[name].dtype)
            check(info is not None and info.length is None and info.encoding == "utf-8",
                  f"h5py: {name} is not a variable-length UTF-8 string ({info})")
        check(list(f["bath"].asstr()[()]) == BATHS, f"h5py: bath {f['bath'][()]!r}")

        for name in VARIABLE_ORDER:
            ds = f[name]
            check(ds.id.get_create_plist().get_attr_creation_order() == tracked,
                  f"h5py: {name} attribute creation order not tracked")
            scales = [d[0].name.lstrip("/") if len(d) else None for d in ds.dims]
            check(scales == list(DIMS[name]), f"h5py: {name} attached scales {scales}")
            values = ds.asstr()[()] if name == "bath_label" else ds[()]
            if name in RAW_DTYPES:
                check(ds.dtype == np.dtype(RAW_DTYPES[name]), f"h5py: {name} dtype {ds.dtype}")
            check(same_values(np.asarray(values, dtype=EXPECTED_RAW[name].dtype),
                              EXPECTED_RAW[name]), f"h5py: {name} values differ")
            if name == "spectrum":
                chunks = ds.chunks
                check(chunks is not None and np.prod(chunks) * 8 <= 1 << 20,
                      f"h5py: spectrum chunks {chunks} (want at most 1 MiB)")
                check(ds.compression is None, f"h5py: spectrum compression {ds.compression}")
            else:
                check(ds.chunks is None, f"h5py: {name} is chunked {ds.chunks} (want contiguous)")
        for name in ("heat_current", "population"):
            check(math.isnan(f[name].fillvalue), f"h5py: {name} fill value {f[name].fillvalue}")
            fill = f[name].attrs["_FillValue"]
            check(fill.dtype == np.dtype("<f8") and fill.shape == (1,) and math.isnan(fill[0]),
                  f"h5py: {name} _FillValue {fill!r}")
        fill = f["regime"].attrs["_FillValue"]
        check(fill.dtype == np.int8 and fill.tolist() == [-1], f"h5py: regime _FillValue {fill!r}")
        check(f["regime"].fillvalue == -1, f"h5py: regime fill value {f['regime'].fillvalue}")
        flags = f["regime"].attrs["flag_values"]
        check(flags.dtype == np.int8 and flags.tolist() == [0, 1, 2, 3, 4],
              f"h5py: regime flag_values {flags!r}")


# ---- ncdump (netCDF-C's tool) ----------------------------------------------------------------------

# What `ncdump -h` prints for the dimensions, some variables and the global attributes: the
# netCDF types (byte, int64, double, string), the attributes' types (b, LL, `string` for NC_STRING)
# and their order.
NCDUMP_DIMENSIONS = """dimensions:
	omega_ratio = 4 ;
	bath = 3 ;
	N = 3 ;
	qubit = 2 ;
	sample = 200000 ;
variables:"""
NCDUMP_VARIABLES = {
    "omega_ratio": """	double omega_ratio(omega_ratio) ;
		omega_ratio:long_name = "omega_h / omega_c" ;
		string omega_ratio:units = "1" ;""",
    "bath": """	string bath(bath) ;
		bath:long_name = "bath configuration" ;""",
    "N": """	int64 N(N) ;
		N:long_name = "number of qubits" ;""",
    "heat_current": """	double heat_current(omega_ratio, bath) ;
		heat_current:long_name = "heat current from the hot bath" ;
		heat_current:units = "omega_c" ;
		heat_current:_FillValue = NaN ;""",
    "regime": """	byte regime(omega_ratio, bath) ;
		regime:long_name = "operating regime" ;
		regime:flag_values = 0b, 1b, 2b, 3b, 4b ;
		regime:flag_meanings = "none engine refrigerator accelerator heater" ;
		regime:_FillValue = -1b ;""",
    "spectrum": """	double spectrum(omega_ratio, sample) ;
		spectrum:comment = "chunked" ;""",
}
NCDUMP_GLOBAL = """// global attributes:
		:title = "nessmap netCDF test" ;
		string :description = "First line of the description.\\nSecond line: ω_h / ω_c ∈ [0.5, 1.25]\\n\\tindented, \\"quoted\\", back\\\\slash\\n" ;
		:T_h = 2.5 ;
		:seed = 9007199254740993LL ;
		:g_h = 0.5, 0.55 ;
		:levels = -3LL, 0LL, 7LL ;
		string :empty = "" ;
		string :one_char = "x" ;
}"""


def check_ncdump(path):
    run = subprocess.run(["ncdump", "-h", path], capture_output=True, text=True)
    if not check(run.returncode == 0, f"ncdump -h: status {run.returncode}: {run.stderr}"):
        return
    text = run.stdout
    check(NCDUMP_DIMENSIONS in text, f"ncdump -h: dimensions differ:\n{text}")
    for name, block in NCDUMP_VARIABLES.items():
        check(block + "\n\t" in text or block + "\n\n" in text,
              f"ncdump -h: variable {name} differs, want\n{block}\nin\n{text}")
    check(text.rstrip("\n").endswith(NCDUMP_GLOBAL), f"ncdump -h: global attributes differ:\n{text}")
    want = [f"\t{t} {n}(" for t, n in [("double", "omega_ratio"), ("string", "bath"), ("int64", "N")]]
    want += [f"\t{t} {n}(" for t, n in zip(["double", "double", "byte", "int64", "string", "double"],
                                           VARIABLE_ORDER)]
    order = [line for line in text.splitlines() if line.startswith("\t") and line.endswith(") ;")
             and not line.startswith("\t\t")]
    check([line[:line.index("(") + 1] for line in order] == want,
          f"ncdump -h: variables in order {order}, want {want}")


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    path = sys.argv[1]
    results = {}
    readers = [
        ("xarray (default engine)", lambda: check_xarray(path, "xarray default")),
        ("xarray h5netcdf", lambda: check_xarray(path, "xarray h5netcdf", engine="h5netcdf")),
        ("xarray netcdf4", lambda: check_xarray(path, "xarray netcdf4", engine="netcdf4")),
        ("netCDF4", lambda: check_netcdf4(path)),
        ("h5py", lambda: check_h5py(path)),
        ("ncdump -h", lambda: check_ncdump(path)),
    ]
    for label, reader in readers:
        try:
            result = reader()
            if result is not None:
                results[label] = result
        except Exception:  # a reader that cannot open the file is a failure like any other
            failures.append(f"{label} raised:\n{traceback.format_exc()}")
    if len(results) > 1:
        compare_readers(results)
    for message in failures:
        print("FAIL:", message)
    print(f"netcdf_check: {len(failures)} failure(s), readers: {', '.join(l for l, _ in readers)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
