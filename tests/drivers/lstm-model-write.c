/* lstm-model-write - writes an LSTM model file for the lstm-predict tests
 * without training: PyTorch's default initialisation from a seed, the
 * scalers fitted on a features CSV when one is given, and the metadata
 * lstm-predict reads.
 *
 *	lstm-model-write [-f FEATURES.csv -s SYMBOL] [-d LAST_TRAIN_DATE]
 *	                 [-t STAMP] [-S SEED] [-z HORIZON] [-F FORMAT_VERSION] OUT
 *
 * -d defaults to the features' last date (else 2024-01-02), -t to
 * 20240101T000000Z, -S to 1, -z to 5; -F overwrites format_version after
 * the save, to make a file of another format version.  Exits 0, 2 on bad
 * usage, 65 on bad features, 73 when OUT cannot be written. */
#include "cli.h"
#include "dates.h"
#include "lstm_model.h"
#include "nn_h5.h"
#include "panel.h"
#include "rng.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_STAMP "20240101T000000Z"
#define DEFAULT_DATE "2024-01-02"

int main(int argc, char **argv)
{
	const char *features = NULL, *symbol = NULL, *date = NULL;
	const char *stamp = DEFAULT_STAMP;
	long seed = 1, horizon = LSTM_MODEL_HORIZON, format_version = -1;
	char err[NN_H5_ERR_MAX], last[TN_DATE_LEN + 1] = DEFAULT_DATE;
	struct lstm_model_config cfg;
	struct lstm_model m;
	struct tn_rng rng;
	tn_day day;
	hid_t file;
	int c;

	tn_init_progname(argv);
	while ((c = getopt(argc, argv, "f:s:d:t:S:z:F:")) != -1) {
		switch (c) {
		case 'f': features = optarg; break;
		case 's': symbol = optarg; break;
		case 'd': date = optarg; break;
		case 't': stamp = optarg; break;
		case 'S': seed = tn_optlong("-S", optarg, 0, 1L << 40); break;
		case 'z':
			horizon = tn_optlong("-z", optarg, 1, LSTM_MODEL_MAX_HORIZON);
			break;
		case 'F': format_version = tn_optlong("-F", optarg, 0, 1000); break;
		default: tn_usage_error("bad option");
		}
	}
	if (optind != argc - 1 || (features && !symbol))
		tn_usage_error("usage: lstm-model-write [-f FEATURES -s SYMBOL] [-d DATE] [-t STAMP] [-S SEED] [-z H] [-F V] OUT");
	if (date && tn_date_parse(date, &day) < 0)
		tn_usage_error("-d: not a date: '%s'", date);

	lstm_model_config_default(&cfg, (int)horizon);
	if (lstm_model_init(&m, &cfg, err, sizeof err) < 0)
		die(TN_EX_SOFTWARE, "%s", err);
	tn_rng_seed(&rng, (uint64_t)seed);
	lstm_model_init_weights(&m, &rng);
	if (features) {
		struct tn_panel p;
		struct lstm_dataset ds;
		FILE *fp = fopen(features, "r");
		int s, rc;

		if (!fp)
			die(TN_EX_NOINPUT, "%s:", features);
		rc = tn_panel_read(&p, fp, features, err, sizeof err);
		fclose(fp);
		if (rc)
			die(rc, "%s", err);
		if ((s = tn_panel_symbol(&p, symbol)) < 0)
			die(TN_EX_DATAERR, "%s: no symbol %s", features, symbol);
		if (lstm_dataset_build(&ds, &p, s, p.ndates - 1, cfg.context,
				       cfg.horizon, err, sizeof err) < 0)
			die(TN_EX_DATAERR, "%s", err);
		lstm_model_fit_scalers(&m, &ds, ds.n);
		tn_date_format(p.dates[p.ndates - 1], last);
		lstm_dataset_free(&ds);
		tn_panel_free(&p);
	}
	if (date)
		tn_date_format(day, last);

	file = nn_h5_create(argv[optind], err, sizeof err);
	if (file < 0)
		die(TN_EX_CANTCREAT, "%s", err);
	if (lstm_model_save(file, &m, err, sizeof err) < 0 ||
	    nn_h5_attr_set_str(file, "symbol", symbol ? symbol : "^GSPC", err,
			       sizeof err) < 0 ||
	    nn_h5_attr_set_str(file, "model_version", stamp, err, sizeof err) < 0 ||
	    nn_h5_attr_set_str(file, "last_train_date", last, err, sizeof err) < 0 ||
	    nn_h5_attr_set_str(file, "tool", "lstm-model-write", err,
			       sizeof err) < 0 ||
	    (format_version >= 0 &&
	     nn_h5_attr_set_int(file, NN_H5_ATTR_VERSION, format_version, err,
				sizeof err) < 0) ||
	    nn_h5_close(file, err, sizeof err) < 0) {
		unlink(argv[optind]);
		die(TN_EX_CANTCREAT, "%s", err);
	}
	lstm_model_free(&m);
	return 0;
}
