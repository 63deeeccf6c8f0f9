/* libdyad C API: load a .dyad model, create sessions, run integer-only
 * inference. Every function that can fail returns a dyad_status; on failure
 * dyad_last_error() gives a message (thread-local) naming the op, tensor or
 * field at fault. See docs/api.md. */
#ifndef DYAD_DYAD_H_
#define DYAD_DYAD_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define DYAD_API
#else
#define DYAD_API __attribute__((visibility("default")))
#endif

typedef enum dyad_status {
  DYAD_OK = 0,
  DYAD_ERROR_INVALID_ARGUMENT = 1, /* null pointer, index out of range, bad option */
  DYAD_ERROR_IO = 2,               /* file missing, unreadable, mmap failed */
  DYAD_ERROR_FORMAT = 3,           /* not a dyad file: identifier, truncation, FlatBuffers verifier */
  DYAD_ERROR_VERSION = 4,          /* format version this libdyad does not know */
  DYAD_ERROR_INVALID_MODEL = 5,    /* semantic check failed (index, shape, dtype, size, cycle, ...) */
  DYAD_ERROR_UNSUPPORTED = 6,      /* valid model, but an op/dtype/ISA this build cannot run */
  DYAD_ERROR_OUT_OF_MEMORY = 7,
  DYAD_ERROR_ALIGNMENT = 8         /* caller's buffer not 64-byte aligned */
} dyad_status;

typedef enum dyad_dtype {
  DYAD_INT8 = 0,
  DYAD_UINT8 = 1,
  DYAD_INT16 = 2,
  DYAD_INT32 = 3
} dyad_dtype;

#define DYAD_MAX_RANK 6

typedef struct dyad_model dyad_model;
typedef struct dyad_session dyad_session;

/* The message of the last failed call on this thread ("" if none). */
DYAD_API const char* dyad_last_error(void);
DYAD_API const char* dyad_status_name(dyad_status status);
DYAD_API const char* dyad_version(void);

/* Load from a file (mmap'ed, zero-copy) or from a caller's buffer (zero-copy:
 * the buffer must stay alive and unchanged until dyad_model_free, and be
 * 64-byte aligned). Verifies the whole model before returning. */
DYAD_API dyad_status dyad_model_load_file(const char* path, dyad_model** out_model);
DYAD_API dyad_status dyad_model_load_buffer(const void* data, size_t size,
                                            dyad_model** out_model);
DYAD_API void dyad_model_free(dyad_model* model);

DYAD_API size_t dyad_model_num_inputs(const dyad_model* model);
DYAD_API size_t dyad_model_num_outputs(const dyad_model* model);
DYAD_API size_t dyad_model_num_ops(const dyad_model* model);
/* Bytes of constant data (weights, biases) in the file. */
DYAD_API size_t dyad_model_weights_bytes(const dyad_model* model);
/* Bytes of the activation arena each session of this model allocates. */
DYAD_API size_t dyad_model_arena_bytes(const dyad_model* model);
/* Bytes of Conv/FC weights packed for the optimized kernels so far: packed
 * once per (model, ISA path) when the first session of that path is created,
 * then shared by every session of the model; freed with the model. */
DYAD_API size_t dyad_model_packed_weights_bytes(const dyad_model* model);
/* Value of a metadata key, or NULL. Valid while the model lives. */
DYAD_API const char* dyad_model_metadata(const dyad_model* model, const char* key);

typedef struct dyad_session_options {
  uint32_t struct_size;  /* sizeof(dyad_session_options), set by _init */
  int32_t num_threads;   /* 1..256; default 1. The caller's thread plus
                            num_threads - 1 workers owned by the session;
                            results are bit-identical for every value */
  const char* isa;       /* NULL or "auto": best path; else reference|avx2|avxvnni|
                            avx512vnni|neon|neondot|i8mm (the DYAD_ISA variable
                            overrides "auto") */
  int32_t profile;       /* non-zero: time every op on each run */
} dyad_session_options;

DYAD_API void dyad_session_options_init(dyad_session_options* options);

/* A session owns one arena and may run while other sessions of the same
 * model run on other threads. One session is not itself thread-safe. */
DYAD_API dyad_status dyad_session_create(const dyad_model* model,
                                         const dyad_session_options* options,
                                         dyad_session** out_session);
DYAD_API void dyad_session_free(dyad_session* session);

typedef struct dyad_tensor_view {
  const char* name;
  dyad_dtype dtype;
  int32_t rank;
  int32_t shape[DYAD_MAX_RANK];
  int32_t zero_point;
  float scale;       /* metadata for the app: real = scale * (q - zero_point) */
  void* data;        /* inputs: write here before dyad_session_run; outputs: read after */
  size_t size_bytes;
} dyad_tensor_view;

DYAD_API dyad_status dyad_session_input(dyad_session* session, size_t index,
                                        dyad_tensor_view* out_view);
DYAD_API dyad_status dyad_session_output(dyad_session* session, size_t index,
                                         dyad_tensor_view* out_view);

/* Runs the graph on the current input contents. Integer only, no allocation. */
DYAD_API dyad_status dyad_session_run(dyad_session* session);

DYAD_API size_t dyad_session_arena_bytes(const dyad_session* session);
/* Kernel scratch this session allocated: one block per thread. */
DYAD_API size_t dyad_session_scratch_bytes(const dyad_session* session);
/* Name of the ISA path the session runs ("reference", "avx2", ...). */
DYAD_API const char* dyad_session_isa(const dyad_session* session);

typedef struct dyad_op_profile {
  const char* name;         /* source node name */
  const char* type;         /* "Conv2D", "Add", ... */
  const char* kernel;       /* kernel that runs it, e.g. "qs8_conv2d__reference" */
  int32_t output_rank;
  int32_t output_shape[DYAD_MAX_RANK];
  int64_t macs;             /* multiply-accumulates (0 for data movement) */
  int64_t last_run_ns;      /* time of this op in the last run (profile option on) */
} dyad_op_profile;

/* Ops in execution order. */
DYAD_API size_t dyad_session_num_ops(const dyad_session* session);
DYAD_API dyad_status dyad_session_op_profile(const dyad_session* session, size_t index,
                                             dyad_op_profile* out_profile);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif  /* DYAD_DYAD_H_ */
