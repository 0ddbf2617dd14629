/*
 * kafka-test-broker: a Kafka-protocol broker for tests and scripts, built on librdkafka's
 * mock cluster (no JVM, starts in milliseconds).
 *
 *   kafka-test-broker [--brokers N] TOPIC[:PARTITIONS[:REPLICATION]]...
 *
 * Creates the topics, prints the bootstrap address ("127.0.0.1:PORT[,...]") as one line on
 * stdout, then serves until SIGTERM/SIGINT or until stdin reaches EOF (so the broker dies
 * with the process that spawned it, even if that process is killed without cleanup).
 *
 * Fault injection for tests: a line `errors API_KEY ERR [ERR...]` on stdin makes the next
 * requests of that API answer with those error codes, one request each, in order
 * (rd_kafka_mock_push_request_errors_array): `errors 14 42` fails the next SyncGroup with
 * INVALID_REQUEST. Other lines are ignored.
 *
 * librdkafka 2.0 has no API to choose the listener port: the port is ephemeral.
 * The mock cluster keeps only a few MiB per partition; it is a test broker, not storage.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested = 0;

/* One stdin command line: `errors API_KEY ERR [ERR...]` (at most 64 errors). */
static void run_command(rd_kafka_mock_cluster_t *mcluster, char *line) {
  char *save = NULL;
  char *word = strtok_r(line, " \t\r", &save);
  if (!word || strcmp(word, "errors") != 0) return;
  char *key = strtok_r(NULL, " \t\r", &save);
  if (!key) return;
  rd_kafka_resp_err_t errs[64];
  size_t n = 0;
  char *e;
  while (n < 64 && (e = strtok_r(NULL, " \t\r", &save)) != NULL) errs[n++] = (rd_kafka_resp_err_t)atoi(e);
  if (n == 0) return;
  rd_kafka_mock_push_request_errors_array(mcluster, (int16_t)atoi(key), n, errs);
  fprintf(stderr, "kafka-test-broker: next %zu request(s) of API %s fail\n", n, key);
}

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

static int parse_int(const char *s, int min, int *out) {
  char *end = NULL;
  long v = strtol(s, &end, 10);
  if (end == s || *end != '\0' || v < min || v > 100000) return -1;
  *out = (int)v;
  return 0;
}

/* Parses "name[:partitions[:replication]]" in place. */
static int parse_topic(char *spec, const char **name, int *partitions, int *replication) {
  char *colon = strchr(spec, ':');
  *partitions = 1;
  *replication = 1;
  *name = spec;
  if (!colon) return spec[0] ? 0 : -1;
  *colon = '\0';
  char *second = strchr(colon + 1, ':');
  if (second) {
    *second = '\0';
    if (parse_int(second + 1, 1, replication)) return -1;
  }
  if (parse_int(colon + 1, 1, partitions)) return -1;
  return spec[0] ? 0 : -1;
}

int main(int argc, char **argv) {
  int broker_count = 1;
  int first_topic = 1;
  char errstr[512];

  if (argc > 2 && strcmp(argv[1], "--brokers") == 0) {
    if (parse_int(argv[2], 1, &broker_count)) {
      fprintf(stderr, "kafka-test-broker: --brokers needs a positive integer, got '%s'\n", argv[2]);
      return 2;
    }
    first_topic = 3;
  }

  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* The handle only hosts the mock cluster; it never connects anywhere. */
  if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "kafka-test-broker: %s\n", errstr);
    return 1;
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) {
    fprintf(stderr, "kafka-test-broker: rd_kafka_new: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *mcluster = rd_kafka_mock_cluster_new(rk, broker_count);
  if (!mcluster) {
    fprintf(stderr, "kafka-test-broker: could not create the mock cluster\n");
    rd_kafka_destroy(rk);
    return 1;
  }

  for (int i = first_topic; i < argc; i++) {
    const char *name;
    int partitions, replication;
    char spec[512];
    snprintf(spec, sizeof(spec), "%s", argv[i]); /* parse_topic cuts argv[i] at the colons */
    if (parse_topic(argv[i], &name, &partitions, &replication)) {
      fprintf(stderr, "kafka-test-broker: bad topic spec '%s' (want NAME[:PARTITIONS[:REPLICATION]])\n", spec);
      rd_kafka_mock_cluster_destroy(mcluster);
      rd_kafka_destroy(rk);
      return 2;
    }
    if (replication > broker_count) replication = broker_count;
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mcluster, name, partitions, replication);
    if (err) {
      fprintf(stderr, "kafka-test-broker: topic %s: %s\n", name, rd_kafka_err2str(err));
      rd_kafka_mock_cluster_destroy(mcluster);
      rd_kafka_destroy(rk);
      return 1;
    }
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  printf("%s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
  fflush(stdout);

  /* Serve until a signal arrives or stdin closes (parent gone). */
  struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
  int watch_stdin = 1;
  char buf[256];
  char line[1024];
  size_t used = 0;
  while (!stop_requested) {
    int n = poll(&pfd, watch_stdin ? 1 : 0, 500);
    if (n < 0 && errno != EINTR) break;
    if (n > 0 && watch_stdin) {
      ssize_t r = read(STDIN_FILENO, buf, sizeof(buf));
      if (r == 0) break; /* EOF: the parent closed our stdin or died */
      if (r < 0 && errno != EINTR && errno != EAGAIN) watch_stdin = 0;
      for (ssize_t i = 0; i < r; i++) {
        if (buf[i] == '\n') {
          line[used] = '\0';
          run_command(mcluster, line);
          used = 0;
        } else if (used < sizeof(line) - 1) {
          line[used++] = buf[i];
        }
      }
    }
  }

  rd_kafka_mock_cluster_destroy(mcluster);
  rd_kafka_destroy(rk);
  return 0;
}
