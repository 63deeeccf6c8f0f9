# ARM GEMM kernels (kernels/arm, docs/kernels_arm.md), included from
# kernels/CMakeLists.txt. Each ISA variant is compiled with its own flags; the
# driver and packing (arm_gemm.cc) use the baseline flags.
if(DYAD_ARCH_AARCH64 OR DYAD_ARCH_ARM32)
  set(DYAD_ARM_DIR ${CMAKE_CURRENT_LIST_DIR})
  # Every file of an ISA folder gets that folder's flags.
  file(GLOB DYAD_ARM_NEON_SRC CONFIGURE_DEPENDS ${DYAD_ARM_DIR}/neon/*.cc)
  target_sources(dyad_kernels PRIVATE ${DYAD_ARM_DIR}/arm_gemm.cc ${DYAD_ARM_DIR}/arm_dwconv.cc
                 ${DYAD_ARM_NEON_SRC})
  target_compile_definitions(dyad_kernels PUBLIC DYAD_BUILT_NEON=1)
  if(DYAD_ARCH_AARCH64)
    file(GLOB DYAD_ARM_DOT_SRC CONFIGURE_DEPENDS ${DYAD_ARM_DIR}/neondot/*.cc)
    file(GLOB DYAD_ARM_I8MM_SRC CONFIGURE_DEPENDS ${DYAD_ARM_DIR}/i8mm/*.cc)
    # GCC's pre-register-allocation scheduler hoists every weight load of the
    # unrolled loops to the top and then spills accumulators (counted with
    # tools/qemu_insn_plugin: NEON 66 -> 61, dotprod 89 -> 79, i8mm 56 -> 51
    # instructions per 16 k); without it the accumulators stay in registers.
    set_source_files_properties(${DYAD_ARM_NEON_SRC} PROPERTIES
                                COMPILE_OPTIONS "-march=armv8-a;-fno-schedule-insns")
    set_source_files_properties(${DYAD_ARM_DOT_SRC} PROPERTIES
                                COMPILE_OPTIONS "-march=armv8.2-a+dotprod;-fno-schedule-insns")
    set_source_files_properties(${DYAD_ARM_I8MM_SRC} PROPERTIES
                                COMPILE_OPTIONS "-march=armv8.2-a+i8mm;-fno-schedule-insns")
    target_sources(dyad_kernels PRIVATE ${DYAD_ARM_DOT_SRC} ${DYAD_ARM_I8MM_SRC})
    target_compile_definitions(dyad_kernels PUBLIC DYAD_BUILT_NEONDOT=1 DYAD_BUILT_I8MM=1)
  else()
    # ARMv7: NEON is an option of the FPU; keep the toolchain's hard-float ABI.
    set_source_files_properties(${DYAD_ARM_NEON_SRC} PROPERTIES COMPILE_OPTIONS "-mfpu=neon")
  endif()
  if(DYAD_BUILD_TOOLS)
    # Runs one GEMM for the instruction-counting qemu plugin
    # (tools/qemu_insn_plugin/count_gemm_insns.sh).
    add_executable(dyad_arm_gemm_probe ${CMAKE_SOURCE_DIR}/tools/qemu_insn_plugin/gemm_probe.cc)
    target_link_libraries(dyad_arm_gemm_probe PRIVATE dyad_kernels)
    dyad_target_warnings(dyad_arm_gemm_probe)
    # Runs one Add / Sub / Mul / Mean / int16 table for the same plugin
    # (tools/qemu_insn_plugin/count_elementwise_insns.sh).
    add_executable(dyad_arm_elementwise_probe
                   ${CMAKE_SOURCE_DIR}/tools/qemu_insn_plugin/elementwise_probe.cc)
    target_link_libraries(dyad_arm_elementwise_probe PRIVATE dyad_kernels)
    dyad_target_warnings(dyad_arm_elementwise_probe)
  endif()
endif()
