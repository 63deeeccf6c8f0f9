/* The few declarations of QEMU's TCG plugin API (version 1, QEMU 6.0-8.0)
 * that insn_count.c uses. Debian 12 ships qemu-user without the
 * <qemu-plugin.h> header, so they are written here from the documented API
 * (docs/devel/tcg-plugins.rst, "API" section): qemu_plugin_install,
 * qemu_plugin_register_vcpu_tb_trans_cb, qemu_plugin_tb_n_insns,
 * qemu_plugin_tb_get_insn, qemu_plugin_insn_symbol, qemu_plugin_insn_vaddr,
 * qemu_plugin_register_vcpu_insn_exec_inline (QEMU_PLUGIN_INLINE_ADD_U64),
 * qemu_plugin_register_atexit_cb, qemu_plugin_outs. Only pointers to the
 * opaque structures are used, never their layout. */
#ifndef DYAD_QEMU_PLUGIN_API_H
#define DYAD_QEMU_PLUGIN_API_H

#include <stddef.h>
#include <stdint.h>

#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t; /* opaque here */
struct qemu_plugin_tb;
struct qemu_plugin_insn;

enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };

typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
                                           qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
const char *qemu_plugin_insn_symbol(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn,
                                                enum qemu_plugin_op op, void *ptr, uint64_t imm);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb,
                                    void *userdata);
void qemu_plugin_outs(const char *string);

#endif
