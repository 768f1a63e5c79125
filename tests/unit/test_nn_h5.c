/* Unit tests: common/nn_h5.c - state_dict round trip, attributes and extra
 * datasets, and the one-line errors for a misshapen, missing or unexpected
 * tensor, a wrong format or version, and a corrupted byte (Fletcher32). */
#include "nn_h5.h"
#include "tn_test.h"

#include <stdint.h>

static char tmpdir[256];

static const struct nn_param_spec gnn_table[] = {
	{ "lstm.weight_ih_l0", 2, { 8, 7 } },
	{ "lstm.bias_ih_l0", 1, { 8 } },
	{ "gat.att_src", 3, { 1, 2, 3 } },
};
#define NGNN (sizeof gnn_table / sizeof *gnn_table)

static void path_of(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
}

static void make_params(struct nn_params *p, const struct nn_param_spec *table,
			size_t n, real base)
{
	char err[256];

	if (nn_params_init(p, table, n, err, sizeof err) < 0) {
		printf("# %s\n", err);
		exit(1);
	}
	for (size_t k = 0; k < p->total; k++)
		p->value[k] = base + (real)k * (real)0.25;
}

/* Saves gnn_table's arena (values base + k / 4) as format/version. */
static int save_model(const char *path, const char *format, long version,
		      real base)
{
	struct nn_params p;
	char err[NN_H5_ERR_MAX] = "";
	hid_t file = nn_h5_create(path, err, sizeof err);
	int ret = -1;

	make_params(&p, gnn_table, NGNN, base);
	if (file < 0)
		goto out;
	if (nn_h5_write_format(file, format, version, err, sizeof err) < 0 ||
	    nn_h5_save_params(file, &p, err, sizeof err) < 0) {
		nn_h5_close(file, err + strlen(err), sizeof err - strlen(err));
		goto out;
	}
	ret = nn_h5_close(file, err, sizeof err);
out:
	if (ret < 0)
		printf("# save_model: %s\n", err);
	nn_params_free(&p);
	return ret;
}

/* Loads path into an arena of table, checking format first.  Returns the
 * result, err holding the message; the arena's first value lands in
 * *first (it starts at -7, so an untouched arena is visible). */
static int load_model(const char *path, const struct nn_param_spec *table,
		      size_t n, const char *format, long version, char *err,
		      size_t errsz, real *first)
{
	struct nn_params p;
	hid_t file;
	int ret = -1;

	make_params(&p, table, n, -7);
	err[0] = '\0';
	file = nn_h5_open(path, err, errsz);
	if (file < 0)
		goto out;
	ret = nn_h5_check_format(file, format, version, err, errsz);
	if (ret == 0)
		ret = nn_h5_load_params(file, &p, err, errsz);
	if (nn_h5_close(file, err, errsz) < 0)
		ret = -1;
	if (first)
		*first = p.value[0];
out:
	nn_params_free(&p);
	return ret;
}

TEST(round_trip_keeps_every_value_and_metadata)
{
	char path[512], err[NN_H5_ERR_MAX] = "", *s;
	struct nn_params saved, loaded;
	const char *features[] = { "ret_1d", "rsi_14", "v\xc3\xa9lo" };
	/* Values float32 holds exactly, so the double build round-trips too. */
	const real mean[4] = { 0.5, -1.25, 3, 0.0078125 };
	const int64_t neighbours[2][2] = { { 1, 2 }, { 0, 2 } };
	real mean_back[4];
	int64_t neighbours_back[2][2];
	char **names = NULL;
	size_t n = 0, shape[NN_PARAM_MAXDIM];
	int64_t iv;
	double dv;
	int ndim;
	hid_t file;

	path_of(path, sizeof path, "round.h5");
	make_params(&saved, gnn_table, NGNN, (real)0.125);
	file = nn_h5_create(path, err, sizeof err);
	CHECK(file >= 0);
	CHECK_INT(nn_h5_write_format(file, "tickernet-gnn", 1, err, sizeof err), 0);
	CHECK_INT(nn_h5_save_params(file, &saved, err, sizeof err), 0);
	CHECK_INT(nn_h5_attr_set_str(file, "symbol", "AAPL", err, sizeof err), 0);
	CHECK_INT(nn_h5_attr_set_str(file, "config", "{\"hidden\":64}", err, sizeof err), 0);
	CHECK_INT(nn_h5_attr_set_str(file, "symbol", "MSFT", err, sizeof err), 0);
	CHECK_INT(nn_h5_attr_set_int(file, "epochs", 42, err, sizeof err), 0);
	CHECK_INT(nn_h5_attr_set_double(file, "val_loss", 0.125, err, sizeof err), 0);
	CHECK_INT(nn_h5_write_real(file, "norm/mean", mean, 1, (size_t[]){ 4 },
				   err, sizeof err), 0);
	CHECK_INT(nn_h5_write_int(file, "neighbours", &neighbours[0][0], 2,
				  (size_t[]){ 2, 2 }, err, sizeof err), 0);
	CHECK_INT(nn_h5_write_strings(file, "features", features, 3, err, sizeof err), 0);
	CHECK_INT(nn_h5_close(file, err, sizeof err), 0);
	if (err[0])
		FAILF("%s", err);

	file = nn_h5_open(path, err, sizeof err);
	CHECK(file >= 0);
	CHECK_INT(nn_h5_check_format(file, "tickernet-gnn", 1, err, sizeof err), 0);
	make_params(&loaded, gnn_table, NGNN, -7);
	CHECK_INT(nn_h5_load_params(file, &loaded, err, sizeof err), 0);
	for (size_t k = 0; k < saved.total; k++)
		if (loaded.value[k] != saved.value[k])
			FAILF("value %zu: %g, want %g", k, (double)loaded.value[k],
			      (double)saved.value[k]);
	s = nn_h5_attr_get_str(file, "symbol", err, sizeof err);
	CHECK_STR(s, "MSFT");
	free(s);
	s = nn_h5_attr_get_str(file, "config", err, sizeof err);
	CHECK_STR(s, "{\"hidden\":64}");
	free(s);
	CHECK_INT(nn_h5_attr_get_int(file, "epochs", &iv, err, sizeof err), 0);
	CHECK_INT(iv, 42);
	CHECK_INT(nn_h5_attr_get_double(file, "val_loss", &dv, err, sizeof err), 0);
	CHECK_NEAR(dv, 0.125, 0);
	CHECK_INT(nn_h5_attr_exists(file, "nope", err, sizeof err), 0);
	CHECK(nn_h5_attr_get_str(file, "nope", err, sizeof err) == NULL);
	CHECK(strstr(err, "round.h5: nope: no such attribute") != NULL);
	CHECK_INT(nn_h5_attr_get_int(file, "symbol", &iv, err, sizeof err), -1);
	CHECK(strstr(err, "round.h5: symbol: attribute is not an integer") != NULL);

	CHECK_INT(nn_h5_dataset_shape(file, "norm/mean", &ndim, shape, err, sizeof err), 0);
	CHECK_INT(ndim, 1);
	CHECK_INT(shape[0], 4);
	CHECK_INT(nn_h5_read_real(file, "norm/mean", mean_back, 1, shape, err, sizeof err), 0);
	for (int k = 0; k < 4; k++)
		CHECK(mean_back[k] == mean[k]);
	CHECK_INT(nn_h5_read_int(file, "neighbours", &neighbours_back[0][0], 2,
				 (size_t[]){ 2, 2 }, err, sizeof err), 0);
	CHECK(memcmp(neighbours, neighbours_back, sizeof neighbours) == 0);
	CHECK_INT(nn_h5_read_real(file, "norm/mean", mean_back, 1, (size_t[]){ 5 },
				  err, sizeof err), -1);
	CHECK(strstr(err, "round.h5: norm/mean: shape (4,), expected (5,)") != NULL);
	CHECK_INT(nn_h5_read_strings(file, "features", &names, &n, err, sizeof err), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(names[0], "ret_1d");
		CHECK_STR(names[2], "v\xc3\xa9lo");
	}
	nn_h5_free_strings(names, n);
	CHECK_INT(nn_h5_close(file, err, sizeof err), 0);
	nn_params_free(&saved);
	nn_params_free(&loaded);
}

TEST(shape_mismatch_names_tensor_and_shapes)
{
	static const struct nn_param_spec wider[] = {
		{ "lstm.weight_ih_l0", 2, { 8, 8 } },
		{ "lstm.bias_ih_l0", 1, { 8 } },
		{ "gat.att_src", 3, { 1, 2, 3 } },
	};
	char path[512], want[1024], err[NN_H5_ERR_MAX];
	real first = 0;

	path_of(path, sizeof path, "shape.h5");
	CHECK_INT(save_model(path, "tickernet-gnn", 1, 0), 0);
	CHECK_INT(load_model(path, wider, 3, "tickernet-gnn", 1, err, sizeof err,
			     &first), -1);
	snprintf(want, sizeof want, "%s: state_dict/lstm.weight_ih_l0: shape (8, 7), "
		 "expected (8, 8): retrain the model with this version", path);
	CHECK_STR(err, want);
	CHECK(first == -7); /* nothing loaded */
}

TEST(missing_and_unexpected_tensors_are_errors)
{
	static const struct nn_param_spec more[] = {
		{ "lstm.weight_ih_l0", 2, { 8, 7 } },
		{ "lstm.bias_ih_l0", 1, { 8 } },
		{ "gat.att_src", 3, { 1, 2, 3 } },
		{ "fc.bias", 1, { 1 } },
	};
	char path[512], want[1024], err[NN_H5_ERR_MAX];
	real first = 0;

	path_of(path, sizeof path, "missing.h5");
	CHECK_INT(save_model(path, "tickernet-gnn", 1, 0), 0);
	CHECK_INT(load_model(path, more, 4, "tickernet-gnn", 1, err, sizeof err,
			     &first), -1);
	snprintf(want, sizeof want, "%s: state_dict/fc.bias: missing: "
		 "retrain the model with this version", path);
	CHECK_STR(err, want);
	CHECK(first == -7);

	CHECK_INT(load_model(path, more, 2, "tickernet-gnn", 1, err, sizeof err,
			     &first), -1);
	snprintf(want, sizeof want, "%s: state_dict/gat.att_src: unexpected tensor: "
		 "retrain the model with this version", path);
	CHECK_STR(err, want);
	CHECK(first == -7);
}

TEST(format_and_version_are_checked)
{
	char path[512], want[1024], err[NN_H5_ERR_MAX];
	hid_t file;

	path_of(path, sizeof path, "format.h5");
	CHECK_INT(save_model(path, "tickernet-lstm", 2, 0), 0);
	CHECK_INT(load_model(path, gnn_table, NGNN, "tickernet-gnn", 2, err,
			     sizeof err, NULL), -1);
	snprintf(want, sizeof want, "%s: format 'tickernet-lstm', expected "
		 "'tickernet-gnn': give this tool a model of its own kind", path);
	CHECK_STR(err, want);
	CHECK_INT(load_model(path, gnn_table, NGNN, "tickernet-lstm", 3, err,
			     sizeof err, NULL), -1);
	snprintf(want, sizeof want, "%s: tickernet-lstm format_version 2, expected 3: "
		 "retrain the model with this version", path);
	CHECK_STR(err, want);
	CHECK_INT(load_model(path, gnn_table, NGNN, "tickernet-lstm", 1, err,
			     sizeof err, NULL), -1);
	snprintf(want, sizeof want, "%s: tickernet-lstm format_version 2 is newer than "
		 "this program reads (1): upgrade tickernet", path);
	CHECK_STR(err, want);
	CHECK_INT(load_model(path, gnn_table, NGNN, "tickernet-lstm", 2, err,
			     sizeof err, NULL), 0);

	/* An HDF5 file that is not ours. */
	path_of(path, sizeof path, "foreign.h5");
	file = nn_h5_create(path, err, sizeof err);
	CHECK(file >= 0);
	CHECK_INT(nn_h5_close(file, err, sizeof err), 0);
	CHECK_INT(load_model(path, gnn_table, NGNN, "tickernet-gnn", 1, err,
			     sizeof err, NULL), -1);
	snprintf(want, sizeof want, "%s: no format attribute: not a tickernet model file",
		 path);
	CHECK_STR(err, want);
}

TEST(not_an_hdf5_file_is_an_error)
{
	char path[512], want[1024], err[NN_H5_ERR_MAX];
	FILE *f;

	path_of(path, sizeof path, "text.h5");
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs("date,close\n", f);
	fclose(f);
	CHECK_INT(load_model(path, gnn_table, NGNN, "tickernet-gnn", 1, err,
			     sizeof err, NULL), -1);
	snprintf(want, sizeof want, "%s: not an HDF5 file", path);
	CHECK_STR(err, want);
}

/* Flips one byte inside the first tensor's stored data, found by its
 * distinctive float32 values. */
static int corrupt_tensor_data(const char *path, float first_value)
{
	unsigned char *buf, pattern[8];
	float pair[2] = { first_value, first_value + 0.25f };
	long size;
	FILE *f = fopen(path, "r+b");
	int ret = -1;

	if (!f)
		return -1;
	memcpy(pattern, pair, sizeof pattern); /* little-endian, as on disk */
	if (fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) <= 0) {
		fclose(f);
		return -1;
	}
	buf = malloc((size_t)size);
	rewind(f);
	if (buf && fread(buf, 1, (size_t)size, f) == (size_t)size) {
		unsigned char *hit = memmem(buf, (size_t)size, pattern, sizeof pattern);

		if (hit) {
			long at = (long)(hit - buf) + 2;

			buf[at] ^= 0x40;
			if (fseek(f, at, SEEK_SET) == 0 && fputc(buf[at], f) != EOF)
				ret = 0;
		}
	}
	free(buf);
	if (fclose(f) != 0)
		ret = -1;
	return ret;
}

TEST(corrupted_byte_is_caught_by_checksum)
{
	char path[512], want[1024], err[NN_H5_ERR_MAX];
	real first = 0;

	path_of(path, sizeof path, "corrupt.h5");
	CHECK_INT(save_model(path, "tickernet-gnn", 1, (real)1234.5), 0);
	CHECK_INT(load_model(path, gnn_table, NGNN, "tickernet-gnn", 1, err,
			     sizeof err, &first), 0);
	CHECK(first == (real)1234.5);
	CHECK_INT(corrupt_tensor_data(path, 1234.5f), 0);
	CHECK_INT(load_model(path, gnn_table, NGNN, "tickernet-gnn", 1, err,
			     sizeof err, &first), -1);
	snprintf(want, sizeof want, "%s: state_dict/lstm.weight_ih_l0: checksum "
		 "mismatch, the file is damaged: restore it or retrain the model", path);
	CHECK_STR(err, want);
	CHECK(first == -7);
}

TEST(saving_twice_into_one_file_is_an_error)
{
	char path[512], err[NN_H5_ERR_MAX] = "";
	struct nn_params p;
	hid_t file;

	path_of(path, sizeof path, "twice.h5");
	make_params(&p, gnn_table, NGNN, 0);
	file = nn_h5_create(path, err, sizeof err);
	CHECK(file >= 0);
	CHECK_INT(nn_h5_save_params(file, &p, err, sizeof err), 0);
	CHECK_INT(nn_h5_save_params(file, &p, err, sizeof err), -1);
	CHECK(strstr(err, "twice.h5: state_dict: cannot create group") != NULL);
	CHECK_INT(nn_h5_close(file, err, sizeof err), 0);
	nn_params_free(&p);
}

static void remove_tmpdir(void)
{
	static const char *const names[] = {
		"round.h5", "shape.h5", "missing.h5", "format.h5", "foreign.h5",
		"text.h5", "corrupt.h5", "twice.h5",
	};
	char path[512];

	for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
		path_of(path, sizeof path, names[k]);
		unlink(path);
	}
	rmdir(tmpdir);
}

int main(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/test_nn_h5.XXXXXX",
		 base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror(tmpdir);
		return 1;
	}
	RUN(round_trip_keeps_every_value_and_metadata);
	RUN(shape_mismatch_names_tensor_and_shapes);
	RUN(missing_and_unexpected_tensors_are_errors);
	RUN(format_and_version_are_checked);
	RUN(not_an_hdf5_file_is_an_error);
	RUN(corrupted_byte_is_caught_by_checksum);
	RUN(saving_twice_into_one_file_is_an_error);
	if (!getenv("TN_KEEP_TMP"))
		remove_tmpdir();
	else
		printf("# files kept in %s\n", tmpdir);
	return tn_t_done();
}
