package io.aoaigateway.keys;

import java.util.List;

/**
 * Every caller key record of a store, as one read saw them.
 *
 * @param version what the store was at when read; any change to the records changes it
 * @param keys the records
 */
record CallerKeyCatalog(String version, List<CallerKey> keys) {

	CallerKeyCatalog {
		keys = List.copyOf(keys);
	}

}
