/* nn_h5.c - see nn_h5.h.  Every HDF5 call is checked; each function has
 * one cleanup path that closes what it opened. */
#include "nn_h5.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#ifdef TN_REAL_DOUBLE
#define REAL_H5T H5T_NATIVE_DOUBLE
#else
#define REAL_H5T H5T_NATIVE_FLOAT
#endif

/* What a shape or layout mismatch of a model tensor asks the user to do. */
#define HINT_RETRAIN "retrain the model with this version"
#define NAME_MAX_H5 1024
#define SHAPE_TEXT_MAX (NN_PARAM_MAXDIM * 24 + 4)

/* HDF5 prints its own error stack to stderr by default; we report one
 * line of our own instead.  Failure to silence it is harmless. */
static void quiet(void)
{
	(void)H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void close_id(hid_t id)
{
	if (id < 0)
		return;
	/* Closing a read-only handle cannot lose data; write paths close
	 * the file through nn_h5_close, which checks. */
	switch (H5Iget_type(id)) {
	case H5I_DATASET: (void)H5Dclose(id); break;
	case H5I_GROUP: (void)H5Gclose(id); break;
	case H5I_DATASPACE: (void)H5Sclose(id); break;
	case H5I_DATATYPE: (void)H5Tclose(id); break;
	case H5I_ATTR: (void)H5Aclose(id); break;
	case H5I_GENPROP_LST: (void)H5Pclose(id); break;
	default: break;
	}
}

/* "FILE: OBJECT: " for an object name under loc, or "FILE: " without. */
static void describe(hid_t loc, const char *name, char *buf, size_t size)
{
	char file[NAME_MAX_H5] = "", dir[NAME_MAX_H5] = "";
	const char *d = dir;

	if (H5Fget_name(loc, file, sizeof file) < 0)
		snprintf(file, sizeof file, "(HDF5 file)");
	if (!name) {
		snprintf(buf, size, "%s: ", file);
		return;
	}
	if (H5Iget_name(loc, dir, sizeof dir) < 0)
		dir[0] = '\0';
	while (*d == '/')
		d++;
	snprintf(buf, size, "%s: %s%s%s: ", file, d, *d ? "/" : "", name);
}

static void errf(char *err, size_t errsz, hid_t loc, const char *name,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void errf(char *err, size_t errsz, hid_t loc, const char *name,
		 const char *fmt, ...)
{
	char where[2 * NAME_MAX_H5 + 8];
	size_t len;
	va_list ap;

	if (!err || !errsz)
		return;
	describe(loc, name, where, sizeof where);
	snprintf(err, errsz, "%s", where);
	len = strlen(err);
	va_start(ap, fmt);
	vsnprintf(err + len, errsz - len, fmt, ap);
	va_end(ap);
}

static void shape_text(char *buf, size_t size, int ndim, const hsize_t *dims)
{
	size_t len = 0;

	buf[0] = '\0';
	len += (size_t)snprintf(buf, size, "(");
	for (int d = 0; d < ndim && len < size; d++)
		len += (size_t)snprintf(buf + len, size - len, "%s%llu",
					d ? ", " : "", (unsigned long long)dims[d]);
	if (ndim == 1 && len < size)
		len += (size_t)snprintf(buf + len, size - len, ",");
	if (len < size)
		snprintf(buf + len, size - len, ")");
}

/* Was the last failure a failed checksum?  Walks HDF5's error stack. */
static herr_t find_checksum(unsigned n, const H5E_error2_t *e, void *found)
{
	(void)n;
	if (e->desc && (strstr(e->desc, "Fletcher32") || strstr(e->desc, "checksum")))
		*(int *)found = 1;
	return 0;
}

static int failed_checksum(void)
{
	int found = 0;

	if (H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, find_checksum, &found) < 0)
		return 0;
	return found;
}

hid_t nn_h5_create(const char *path, char *err, size_t errsz)
{
	hid_t file;

	quiet();
	file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	if (file < 0)
		snprintf(err, errsz, "%s: cannot create HDF5 file", path);
	return file;
}

hid_t nn_h5_open(const char *path, char *err, size_t errsz)
{
	hid_t file;
	htri_t is_h5;

	quiet();
	is_h5 = H5Fis_hdf5(path);
	if (is_h5 == 0) {
		snprintf(err, errsz, "%s: not an HDF5 file", path);
		return -1;
	}
	file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	if (file < 0)
		snprintf(err, errsz, "%s: cannot open HDF5 file", path);
	return file;
}

int nn_h5_close(hid_t file, char *err, size_t errsz)
{
	char name[NAME_MAX_H5] = "(HDF5 file)";

	quiet();
	if (H5Fget_name(file, name, sizeof name) < 0)
		snprintf(name, sizeof name, "(HDF5 file)");
	if (H5Fclose(file) < 0) {
		snprintf(err, errsz, "%s: cannot write HDF5 file", name);
		return -1;
	}
	return 0;
}

/* Creates and writes dataset name under loc: chunked with Fletcher32 when
 * checksum is set (one chunk holds the whole tensor). */
static int write_array(hid_t loc, const char *name, hid_t memtype,
		       hid_t filetype, const void *data, int ndim,
		       const size_t *shape, int checksum, char *err,
		       size_t errsz)
{
	hsize_t dims[NN_PARAM_MAXDIM];
	hid_t space = -1, dcpl = -1, lcpl = -1, dset = -1;
	size_t numel = 1;
	int ret = -1;

	if (ndim < 1 || ndim > NN_PARAM_MAXDIM) {
		errf(err, errsz, loc, name, "%d dimensions, expected 1..%d",
		     ndim, NN_PARAM_MAXDIM);
		return -1;
	}
	for (int d = 0; d < ndim; d++) {
		dims[d] = shape[d];
		numel *= shape[d];
	}
	if ((space = H5Screate_simple(ndim, dims, NULL)) < 0 ||
	    (dcpl = H5Pcreate(H5P_DATASET_CREATE)) < 0 ||
	    (lcpl = H5Pcreate(H5P_LINK_CREATE)) < 0 ||
	    H5Pset_create_intermediate_group(lcpl, 1) < 0) {
		errf(err, errsz, loc, name, "cannot set up dataset");
		goto out;
	}
	if (checksum && numel > 0 &&
	    (H5Pset_chunk(dcpl, ndim, dims) < 0 || H5Pset_fletcher32(dcpl) < 0)) {
		errf(err, errsz, loc, name, "cannot set up checksummed chunks");
		goto out;
	}
	dset = H5Dcreate2(loc, name, filetype, space, lcpl, dcpl, H5P_DEFAULT);
	if (dset < 0) {
		errf(err, errsz, loc, name, "cannot create dataset (does it exist already?)");
		goto out;
	}
	if (numel > 0 &&
	    H5Dwrite(dset, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
		errf(err, errsz, loc, name, "cannot write dataset");
		goto out;
	}
	ret = 0;
out:
	close_id(dset);
	close_id(lcpl);
	close_id(dcpl);
	close_id(space);
	return ret;
}

/* Opens dataset name under loc and checks its class and, when want_shape
 * is given, its shape.  Returns the dataset, or -1. */
static hid_t open_array(hid_t loc, const char *name, H5T_class_t want_class,
			int ndim, const size_t *want_shape, const char *hint,
			char *err, size_t errsz)
{
	hsize_t dims[H5S_MAX_RANK], want[NN_PARAM_MAXDIM];
	char got_text[SHAPE_TEXT_MAX], want_text[SHAPE_TEXT_MAX];
	hid_t dset = -1, type = -1, space = -1;
	int rank, same;

	if (H5Lexists(loc, name, H5P_DEFAULT) <= 0) {
		errf(err, errsz, loc, name, "missing%s%s", hint ? ": " : "",
		     hint ? hint : "");
		return -1;
	}
	if ((dset = H5Dopen2(loc, name, H5P_DEFAULT)) < 0 ||
	    (type = H5Dget_type(dset)) < 0 ||
	    (space = H5Dget_space(dset)) < 0 ||
	    (rank = H5Sget_simple_extent_ndims(space)) < 0 ||
	    H5Sget_simple_extent_dims(space, dims, NULL) < 0) {
		errf(err, errsz, loc, name, "cannot open dataset");
		goto fail;
	}
	if (H5Tget_class(type) != want_class) {
		errf(err, errsz, loc, name, "not %s data%s%s",
		     want_class == H5T_FLOAT ? "floating-point" :
		     want_class == H5T_INTEGER ? "integer" : "string",
		     hint ? ": " : "", hint ? hint : "");
		goto fail;
	}
	if (want_shape) {
		same = rank == ndim;
		for (int d = 0; d < ndim; d++) {
			want[d] = want_shape[d];
			if (same && dims[d] != want[d])
				same = 0;
		}
		if (!same) {
			shape_text(got_text, sizeof got_text, rank, dims);
			shape_text(want_text, sizeof want_text, ndim, want);
			errf(err, errsz, loc, name, "shape %s, expected %s%s%s",
			     got_text, want_text, hint ? ": " : "",
			     hint ? hint : "");
			goto fail;
		}
	}
	close_id(type);
	close_id(space);
	return dset;
fail:
	close_id(type);
	close_id(space);
	close_id(dset);
	return -1;
}

/* Reads a whole dataset whose shape open_array checked. */
static int read_array(hid_t loc, const char *name, H5T_class_t want_class,
		      hid_t memtype, void *data, int ndim, const size_t *shape,
		      const char *hint, char *err, size_t errsz)
{
	hid_t dset = open_array(loc, name, want_class, ndim, shape, hint, err,
				errsz);
	size_t numel = 1;
	int ret = 0;

	if (dset < 0)
		return -1;
	for (int d = 0; d < ndim; d++)
		numel *= shape[d];
	if (numel > 0 &&
	    H5Dread(dset, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
		if (failed_checksum())
			errf(err, errsz, loc, name,
			     "checksum mismatch, the file is damaged: restore it or retrain the model");
		else
			errf(err, errsz, loc, name, "cannot read dataset");
		ret = -1;
	}
	close_id(dset);
	return ret;
}

int nn_h5_save_params(hid_t file, const struct nn_params *p, char *err,
		      size_t errsz)
{
	hid_t group;
	int ret = 0;

	quiet();
	group = H5Gcreate2(file, NN_H5_STATE_DICT, H5P_DEFAULT, H5P_DEFAULT,
			   H5P_DEFAULT);
	if (group < 0) {
		errf(err, errsz, file, NN_H5_STATE_DICT,
		     "cannot create group (does it exist already?)");
		return -1;
	}
	for (size_t i = 0; i < p->n && ret == 0; i++)
		ret = write_array(group, p->table[i].name, REAL_H5T,
				  H5T_IEEE_F32LE, nn_param_value(p, i),
				  p->table[i].ndim, p->table[i].shape, 1, err,
				  errsz);
	if (H5Gclose(group) < 0 && ret == 0) {
		errf(err, errsz, file, NN_H5_STATE_DICT, "cannot close group");
		ret = -1;
	}
	return ret;
}

/* Names the first tensor in group that p's table does not have. */
static int check_no_extra(hid_t group, const struct nn_params *p, char *err,
			  size_t errsz)
{
	char name[NAME_MAX_H5];
	H5G_info_t info;

	if (H5Gget_info(group, &info) < 0) {
		errf(err, errsz, group, NULL, "cannot list " NN_H5_STATE_DICT);
		return -1;
	}
	if (info.nlinks == p->n)
		return 0;
	for (hsize_t k = 0; k < info.nlinks; k++) {
		if (H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC,
				       k, name, sizeof name, H5P_DEFAULT) < 0) {
			errf(err, errsz, group, NULL, "cannot list " NN_H5_STATE_DICT);
			return -1;
		}
		if (nn_params_find(p, name) < 0) {
			errf(err, errsz, group, name, "unexpected tensor: " HINT_RETRAIN);
			return -1;
		}
	}
	errf(err, errsz, group, NULL, "%llu tensors, expected %zu: " HINT_RETRAIN,
	     (unsigned long long)info.nlinks, p->n);
	return -1;
}

int nn_h5_load_params(hid_t file, struct nn_params *p, char *err,
		      size_t errsz)
{
	real *values = xreallocarray(NULL, p->total ? p->total : 1,
				     sizeof *values);
	hid_t group = -1;
	int ret = -1;

	quiet();
	if (H5Lexists(file, NN_H5_STATE_DICT, H5P_DEFAULT) <= 0) {
		errf(err, errsz, file, NULL,
		     "no " NN_H5_STATE_DICT ": not a tickernet model file");
		goto out;
	}
	if ((group = H5Gopen2(file, NN_H5_STATE_DICT, H5P_DEFAULT)) < 0) {
		errf(err, errsz, file, NN_H5_STATE_DICT, "cannot open group");
		goto out;
	}
	for (size_t i = 0; i < p->n; i++)
		if (read_array(group, p->table[i].name, H5T_FLOAT, REAL_H5T,
			       values + p->offset[i], p->table[i].ndim,
			       p->table[i].shape, HINT_RETRAIN, err, errsz) < 0)
			goto out;
	if (check_no_extra(group, p, err, errsz) < 0)
		goto out;
	nn_params_restore_values(p, values);
	ret = 0;
out:
	close_id(group);
	free(values);
	return ret;
}

int nn_h5_attr_exists(hid_t obj, const char *name, char *err, size_t errsz)
{
	htri_t e;

	quiet();
	e = H5Aexists(obj, name);
	if (e < 0) {
		errf(err, errsz, obj, name, "cannot look up attribute");
		return -1;
	}
	return e > 0;
}

/* nn_h5_read_strings' conversion buffer: room for every element of the
 * list in either form (a variable-length string is 16 bytes on file, a
 * pointer in memory), and some to spare. */
#define STRING_XFER_MIN 4096
#define STRING_XFER_EACH 32

static hid_t utf8_string_type(void)
{
	hid_t type = H5Tcopy(H5T_C_S1);

	if (type < 0)
		return -1;
	if (H5Tset_size(type, H5T_VARIABLE) < 0 ||
	    H5Tset_cset(type, H5T_CSET_UTF8) < 0) {
		close_id(type);
		return -1;
	}
	return type;
}

/* Replaces attribute name of obj with one scalar of filetype. */
static int attr_set(hid_t obj, const char *name, hid_t filetype,
		    hid_t memtype, const void *value, char *err, size_t errsz)
{
	hid_t space = -1, attr = -1;
	htri_t e;
	int ret = -1;

	quiet();
	if ((e = H5Aexists(obj, name)) < 0 || (e > 0 && H5Adelete(obj, name) < 0)) {
		errf(err, errsz, obj, name, "cannot replace attribute");
		return -1;
	}
	if ((space = H5Screate(H5S_SCALAR)) < 0 ||
	    (attr = H5Acreate2(obj, name, filetype, space, H5P_DEFAULT,
			       H5P_DEFAULT)) < 0 ||
	    H5Awrite(attr, memtype, value) < 0) {
		errf(err, errsz, obj, name, "cannot write attribute");
		goto out;
	}
	ret = 0;
out:
	close_id(attr);
	close_id(space);
	return ret;
}

int nn_h5_attr_set_str(hid_t obj, const char *name, const char *value,
		       char *err, size_t errsz)
{
	hid_t type = utf8_string_type();
	int ret;

	if (type < 0) {
		errf(err, errsz, obj, name, "cannot make a string type");
		return -1;
	}
	ret = attr_set(obj, name, type, type, &value, err, errsz);
	close_id(type);
	return ret;
}

int nn_h5_attr_set_int(hid_t obj, const char *name, int64_t value,
		       char *err, size_t errsz)
{
	return attr_set(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value,
			err, errsz);
}

int nn_h5_attr_set_double(hid_t obj, const char *name, double value,
			  char *err, size_t errsz)
{
	return attr_set(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value,
			err, errsz);
}

/* Opens attribute name of obj if it is of class want; -1 otherwise. */
static hid_t attr_open(hid_t obj, const char *name, H5T_class_t want,
		       hid_t *type, char *err, size_t errsz)
{
	hid_t attr;
	htri_t e;

	quiet();
	*type = -1;
	if ((e = H5Aexists(obj, name)) <= 0) {
		errf(err, errsz, obj, name, e < 0 ? "cannot look up attribute"
						  : "no such attribute");
		return -1;
	}
	if ((attr = H5Aopen(obj, name, H5P_DEFAULT)) < 0 ||
	    (*type = H5Aget_type(attr)) < 0) {
		errf(err, errsz, obj, name, "cannot open attribute");
		close_id(attr);
		return -1;
	}
	if (H5Tget_class(*type) != want) {
		errf(err, errsz, obj, name, "attribute is not %s",
		     want == H5T_STRING ? "a string" :
		     want == H5T_INTEGER ? "an integer" : "a number");
		close_id(*type);
		close_id(attr);
		*type = -1;
		return -1;
	}
	return attr;
}

char *nn_h5_attr_get_str(hid_t obj, const char *name, char *err,
			 size_t errsz)
{
	hid_t type, memtype = -1, attr = attr_open(obj, name, H5T_STRING, &type,
						  err, errsz);
	char *value = NULL, *vlen = NULL;
	htri_t variable;
	H5T_cset_t cset;
	size_t size;

	if (attr < 0)
		return NULL;
	/* HDF5 does not convert between character sets: read in the
	 * file's (h5py writes UTF-8, fixed-length writers often ASCII). */
	if ((variable = H5Tis_variable_str(type)) < 0 ||
	    (cset = H5Tget_cset(type)) < 0 ||
	    (memtype = H5Tcopy(H5T_C_S1)) < 0 ||
	    H5Tset_cset(memtype, cset) < 0)
		goto fail;
	if (variable) {
		if (H5Tset_size(memtype, H5T_VARIABLE) < 0 ||
		    H5Aread(attr, memtype, &vlen) < 0)
			goto fail;
		value = xstrdup(vlen ? vlen : "");
		if (vlen && H5free_memory(vlen) < 0)
			goto fail;
	} else {
		/* Fixed length: read with one more byte, NUL-terminated. */
		if ((size = H5Tget_size(type)) == 0 ||
		    H5Tset_size(memtype, size + 1) < 0 ||
		    H5Tset_strpad(memtype, H5T_STR_NULLTERM) < 0)
			goto fail;
		value = xcalloc(size + 1, 1);
		if (H5Aread(attr, memtype, value) < 0)
			goto fail;
	}
	close_id(memtype);
	close_id(type);
	close_id(attr);
	return value;
fail:
	errf(err, errsz, obj, name, "cannot read string attribute");
	free(value);
	close_id(memtype);
	close_id(type);
	close_id(attr);
	return NULL;
}

static int attr_get_scalar(hid_t obj, const char *name, H5T_class_t want,
			   hid_t memtype, void *value, char *err, size_t errsz)
{
	hid_t type, space = -1, attr = attr_open(obj, name, want, &type, err,
						 errsz);
	int ret = -1;

	if (attr < 0)
		return -1;
	if ((space = H5Aget_space(attr)) < 0 ||
	    H5Sget_simple_extent_npoints(space) != 1) {
		errf(err, errsz, obj, name, "attribute is not a single value");
		goto out;
	}
	if (H5Aread(attr, memtype, value) < 0) {
		errf(err, errsz, obj, name, "cannot read attribute");
		goto out;
	}
	ret = 0;
out:
	close_id(space);
	close_id(type);
	close_id(attr);
	return ret;
}

int nn_h5_attr_get_int(hid_t obj, const char *name, int64_t *value,
		       char *err, size_t errsz)
{
	return attr_get_scalar(obj, name, H5T_INTEGER, H5T_NATIVE_INT64, value,
			       err, errsz);
}

int nn_h5_attr_get_double(hid_t obj, const char *name, double *value,
			  char *err, size_t errsz)
{
	return attr_get_scalar(obj, name, H5T_FLOAT, H5T_NATIVE_DOUBLE, value,
			       err, errsz);
}

int nn_h5_write_format(hid_t file, const char *format, long version,
		       char *err, size_t errsz)
{
	if (nn_h5_attr_set_str(file, NN_H5_ATTR_FORMAT, format, err, errsz) < 0)
		return -1;
	return nn_h5_attr_set_int(file, NN_H5_ATTR_VERSION, version, err, errsz);
}

int nn_h5_check_format(hid_t file, const char *format, long version,
		       char *err, size_t errsz)
{
	char *got;
	int64_t got_version;
	int e = nn_h5_attr_exists(file, NN_H5_ATTR_FORMAT, err, errsz);

	if (e < 0)
		return -1;
	if (e == 0) {
		errf(err, errsz, file, NULL, "no format attribute: not a tickernet model file");
		return -1;
	}
	if (!(got = nn_h5_attr_get_str(file, NN_H5_ATTR_FORMAT, err, errsz)))
		return -1;
	if (strcmp(got, format) != 0) {
		errf(err, errsz, file, NULL,
		     "format '%s', expected '%s': give this tool a model of its own kind",
		     got, format);
		free(got);
		return -1;
	}
	free(got);
	if ((e = nn_h5_attr_exists(file, NN_H5_ATTR_VERSION, err, errsz)) <= 0) {
		if (e == 0)
			errf(err, errsz, file, NULL,
			     "no format_version attribute: not a tickernet model file");
		return -1;
	}
	if (nn_h5_attr_get_int(file, NN_H5_ATTR_VERSION, &got_version, err,
			       errsz) < 0)
		return -1;
	if (got_version > version) {
		errf(err, errsz, file, NULL,
		     "%s format_version %lld is newer than this program reads (%ld): upgrade tickernet",
		     format, (long long)got_version, version);
		return -1;
	}
	if (got_version < version) {
		errf(err, errsz, file, NULL,
		     "%s format_version %lld, expected %ld: " HINT_RETRAIN,
		     format, (long long)got_version, version);
		return -1;
	}
	return 0;
}

int nn_h5_write_real(hid_t loc, const char *name, const real *data, int ndim,
		     const size_t *shape, char *err, size_t errsz)
{
	quiet();
	return write_array(loc, name, REAL_H5T, H5T_IEEE_F32LE, data, ndim,
			   shape, 1, err, errsz);
}

int nn_h5_write_int(hid_t loc, const char *name, const int64_t *data,
		    int ndim, const size_t *shape, char *err, size_t errsz)
{
	quiet();
	return write_array(loc, name, H5T_NATIVE_INT64, H5T_STD_I64LE, data,
			   ndim, shape, 1, err, errsz);
}

int nn_h5_write_strings(hid_t loc, const char *name,
			const char *const *strings, size_t n, char *err,
			size_t errsz)
{
	hid_t type = utf8_string_type();
	int ret;

	quiet();
	if (type < 0) {
		errf(err, errsz, loc, name, "cannot make a string type");
		return -1;
	}
	/* Variable-length strings live in the global heap; a chunk checksum
	 * would cover only the heap references, so they are not chunked. */
	ret = write_array(loc, name, type, type, strings, 1, &n, 0, err, errsz);
	close_id(type);
	return ret;
}

int nn_h5_dataset_shape(hid_t loc, const char *name, int *ndim,
			size_t shape[NN_PARAM_MAXDIM], char *err,
			size_t errsz)
{
	hsize_t dims[H5S_MAX_RANK];
	hid_t dset = -1, space = -1;
	int rank, ret = -1;

	quiet();
	if (H5Lexists(loc, name, H5P_DEFAULT) <= 0) {
		errf(err, errsz, loc, name, "missing");
		return -1;
	}
	if ((dset = H5Dopen2(loc, name, H5P_DEFAULT)) < 0 ||
	    (space = H5Dget_space(dset)) < 0 ||
	    (rank = H5Sget_simple_extent_ndims(space)) < 0 ||
	    H5Sget_simple_extent_dims(space, dims, NULL) < 0) {
		errf(err, errsz, loc, name, "cannot open dataset");
		goto out;
	}
	if (rank < 1 || rank > NN_PARAM_MAXDIM) {
		errf(err, errsz, loc, name, "%d dimensions, expected 1..%d",
		     rank, NN_PARAM_MAXDIM);
		goto out;
	}
	*ndim = rank;
	for (int d = 0; d < rank; d++)
		shape[d] = (size_t)dims[d];
	ret = 0;
out:
	close_id(space);
	close_id(dset);
	return ret;
}

int nn_h5_read_real(hid_t loc, const char *name, real *data, int ndim,
		    const size_t *shape, char *err, size_t errsz)
{
	quiet();
	return read_array(loc, name, H5T_FLOAT, REAL_H5T, data, ndim, shape,
			  NULL, err, errsz);
}

int nn_h5_read_int(hid_t loc, const char *name, int64_t *data, int ndim,
		   const size_t *shape, char *err, size_t errsz)
{
	quiet();
	return read_array(loc, name, H5T_INTEGER, H5T_NATIVE_INT64, data, ndim,
			  shape, NULL, err, errsz);
}

int nn_h5_read_strings(hid_t loc, const char *name, char ***strings,
		       size_t *n, char *err, size_t errsz)
{
	hid_t dset = -1, space = -1, type = -1, xfer = -1;
	char **heap = NULL, **out = NULL;
	hsize_t count;
	int ndim, ret = -1;
	size_t shape[NN_PARAM_MAXDIM];

	quiet();
	*strings = NULL;
	*n = 0;
	if (nn_h5_dataset_shape(loc, name, &ndim, shape, err, errsz) < 0)
		return -1;
	if (ndim != 1) {
		errf(err, errsz, loc, name, "%d dimensions, expected a list", ndim);
		return -1;
	}
	dset = open_array(loc, name, H5T_STRING, 1, shape, NULL, err, errsz);
	if (dset < 0)
		return -1;
	count = shape[0];
	heap = xcalloc(count ? count : 1, sizeof *heap);
	/* A conversion buffer the size of the list: HDF5's default is 1 MB,
	 * zeroed, and touching it was a tenth of a cold gnn-predict. */
	if ((xfer = H5Pcreate(H5P_DATASET_XFER)) < 0 ||
	    H5Pset_buffer(xfer, STRING_XFER_MIN + (size_t)count * STRING_XFER_EACH,
			  NULL, NULL) < 0 ||
	    (type = utf8_string_type()) < 0 ||
	    (space = H5Dget_space(dset)) < 0 ||
	    (count > 0 &&
	     H5Dread(dset, type, H5S_ALL, H5S_ALL, xfer, heap) < 0)) {
		errf(err, errsz, loc, name, "cannot read strings (variable-length expected)");
		goto out;
	}
	out = xcalloc(count ? count : 1, sizeof *out);
	for (hsize_t k = 0; k < count; k++)
		out[k] = xstrdup(heap[k] ? heap[k] : "");
	if (count > 0 && H5Dvlen_reclaim(type, space, H5P_DEFAULT, heap) < 0) {
		errf(err, errsz, loc, name, "cannot free strings");
		nn_h5_free_strings(out, count);
		out = NULL;
		goto out;
	}
	*strings = out;
	*n = count;
	ret = 0;
out:
	free(heap);
	close_id(xfer);
	close_id(type);
	close_id(space);
	close_id(dset);
	return ret;
}

void nn_h5_free_strings(char **strings, size_t n)
{
	if (!strings)
		return;
	for (size_t k = 0; k < n; k++)
		free(strings[k]);
	free(strings);
}
