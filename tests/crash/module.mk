# tests/crash: the kill -9 torture program.  `make test` runs a short round
# (tests/integration/crash.sh, 200 cycles); `make crash` the long one.
CRASH_CYCLES ?= 5000

$(BUILD)/crash-torture: tests/crash/crash.c $(BUILD)/libheliosdb.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(BUILD)/libheliosdb.a $(SAN) $(LIBS)

integration: $(BUILD)/crash-torture

crash: deps lib $(BUILD)/crash-torture
	$(BUILD)/crash-torture --cycles $(CRASH_CYCLES)
