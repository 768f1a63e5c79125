/* nn_h5.h - model files in HDF5: the parameter arena as a PyTorch-style
 * state_dict, a format name and version checked on load, metadata
 * attributes and small extra datasets.
 *
 * Layout of a model file:
 *   /                      attributes format (string), format_version
 *                          (int64), and whatever metadata the tool adds
 *   /state_dict/<key>      one float32 dataset per tensor, named by its
 *                          state_dict key, PyTorch's shape, chunked with
 *                          the Fletcher32 checksum filter
 *   /<other datasets>      e.g. normalisation statistics, feature names
 * so in Python: {k: f['state_dict'][k][()] for k in f['state_dict']}.
 *
 * Every function silences HDF5's own error printing and reports failure as
 * one line in err (errsz bytes; NN_H5_ERR_MAX is enough), in the form
 * "FILE: OBJECT: what went wrong[: what to do]".  Functions that return int
 * return 0 or -1.  Files are created and opened by the caller or by
 * nn_h5_create/nn_h5_open; the atomic temp-name-and-rename dance is the
 * caller's (atomic.h). */
#ifndef TN_NN_H5_H
#define TN_NN_H5_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

#include "nn_param.h"
#include "real.h"

#define NN_H5_ERR_MAX 1024
#define NN_H5_STATE_DICT "state_dict"
#define NN_H5_ATTR_FORMAT "format"
#define NN_H5_ATTR_VERSION "format_version"

/* Creates (truncating) or opens read-only; a negative id on failure. */
hid_t nn_h5_create(const char *path, char *err, size_t errsz);
hid_t nn_h5_open(const char *path, char *err, size_t errsz);
/* Closes the file, flushing it; a failed flush is an error. */
int nn_h5_close(hid_t file, char *err, size_t errsz);

/* Root attributes format and format_version. */
int nn_h5_write_format(hid_t file, const char *format, long version,
		       char *err, size_t errsz);
/* A missing format, another format's name or another version is an error
 * saying what to do (use the matching tool; retrain; upgrade). */
int nn_h5_check_format(hid_t file, const char *format, long version,
		       char *err, size_t errsz);

/* Writes every tensor of p into a new group /state_dict of file. */
int nn_h5_save_params(hid_t file, const struct nn_params *p, char *err,
		      size_t errsz);
/* Reads /state_dict into p, whose table says what must be there: every
 * name present with the table's shape and no others.  On any error
 * (missing, extra or misshapen tensor, failed checksum) p's values are
 * left as they were. */
int nn_h5_load_params(hid_t file, struct nn_params *p, char *err,
		      size_t errsz);

/* Attributes of any object (file, group, dataset); set replaces.  JSON
 * (config, metrics) is stored as a string attribute: h5py gives a str. */
int nn_h5_attr_set_str(hid_t obj, const char *name, const char *value,
		       char *err, size_t errsz);
int nn_h5_attr_set_int(hid_t obj, const char *name, int64_t value,
		       char *err, size_t errsz);
int nn_h5_attr_set_double(hid_t obj, const char *name, double value,
			  char *err, size_t errsz);
/* The string is malloc'ed; NULL on error (also when it is missing). */
char *nn_h5_attr_get_str(hid_t obj, const char *name, char *err,
			 size_t errsz);
int nn_h5_attr_get_int(hid_t obj, const char *name, int64_t *value,
		       char *err, size_t errsz);
int nn_h5_attr_get_double(hid_t obj, const char *name, double *value,
			  char *err, size_t errsz);
/* 1 when obj has the attribute, 0 when not, -1 on error. */
int nn_h5_attr_exists(hid_t obj, const char *name, char *err, size_t errsz);

/* Small extra datasets under loc, name may be a path ("norm/mean"; groups
 * are created).  Reals are stored as float32 (chunked, Fletcher32),
 * integers as int64, strings as variable-length UTF-8.  shape has ndim
 * (1..NN_PARAM_MAXDIM) extents. */
int nn_h5_write_real(hid_t loc, const char *name, const real *data, int ndim,
		     const size_t *shape, char *err, size_t errsz);
int nn_h5_write_int(hid_t loc, const char *name, const int64_t *data,
		    int ndim, const size_t *shape, char *err, size_t errsz);
int nn_h5_write_strings(hid_t loc, const char *name,
			const char *const *strings, size_t n, char *err,
			size_t errsz);
/* The dataset's shape, to size a buffer before reading. */
int nn_h5_dataset_shape(hid_t loc, const char *name, int *ndim,
			size_t shape[NN_PARAM_MAXDIM], char *err,
			size_t errsz);
/* Reads into data, which has room for the given shape; the dataset must
 * have exactly that shape. */
int nn_h5_read_real(hid_t loc, const char *name, real *data, int ndim,
		    const size_t *shape, char *err, size_t errsz);
int nn_h5_read_int(hid_t loc, const char *name, int64_t *data, int ndim,
		   const size_t *shape, char *err, size_t errsz);
/* *strings is a malloc'ed array of n malloc'ed strings;
 * free with nn_h5_free_strings. */
int nn_h5_read_strings(hid_t loc, const char *name, char ***strings,
		       size_t *n, char *err, size_t errsz);
void nn_h5_free_strings(char **strings, size_t n);

#endif
