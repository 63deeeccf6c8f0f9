/* qemu-user TCG plugin: counts executed guest instructions, in total and per
 * function symbol whose name contains one of the `match=` arguments
 * (e.g. match=qs8_gemm_ match=gemm_2x8c16). Counts are exact for
 * single-threaded guests (plain inline adds, no atomics).
 *   qemu-aarch64 -plugin ./libinsn_count.so,match=qs8_gemm_ ./prog
 * Prints one line per matched symbol and the total at exit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin_api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

enum { kMaxMatches = 8, kMaxSymbols = 64 };

static const char *matches[kMaxMatches];
static int num_matches;
static struct {
  char name[160];
  uint64_t count;
} symbols[kMaxSymbols];
static int num_symbols;
static uint64_t total;

static uint64_t *counter_for(const char *sym) {
  int i;
  if (sym == NULL) return NULL;
  for (i = 0; i < num_matches; ++i) {
    if (strstr(sym, matches[i]) != NULL) break;
  }
  if (i == num_matches) return NULL;
  for (i = 0; i < num_symbols; ++i) {
    if (strncmp(symbols[i].name, sym, sizeof(symbols[i].name) - 1) == 0) return &symbols[i].count;
  }
  if (num_symbols == kMaxSymbols) return NULL;
  snprintf(symbols[num_symbols].name, sizeof(symbols[num_symbols].name), "%s", sym);
  return &symbols[num_symbols++].count;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  size_t i, n = qemu_plugin_tb_n_insns(tb);
  (void)id;
  for (i = 0; i < n; ++i) {
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    uint64_t *c = counter_for(qemu_plugin_insn_symbol(insn));
    qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &total, 1);
    if (c != NULL) {
      qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, c, 1);
    }
  }
}

static void on_exit_report(qemu_plugin_id_t id, void *userdata) {
  char line[256];
  int i;
  (void)id;
  (void)userdata;
  for (i = 0; i < num_symbols; ++i) {
    snprintf(line, sizeof(line), "insn_count %.160s %llu\n", symbols[i].name,
             (unsigned long long)symbols[i].count);
    qemu_plugin_outs(line);
  }
  snprintf(line, sizeof(line), "insn_count TOTAL %llu\n", (unsigned long long)total);
  qemu_plugin_outs(line);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv) {
  int i;
  (void)info;
  for (i = 0; i < argc; ++i) {
    if (strncmp(argv[i], "match=", 6) == 0 && num_matches < kMaxMatches) {
      matches[num_matches++] = argv[i] + 6;
    } else {
      fprintf(stderr, "insn_count: unknown argument %s (use match=SUBSTRING)\n", argv[i]);
      return -1;
    }
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, on_exit_report, NULL);
  return 0;
}
