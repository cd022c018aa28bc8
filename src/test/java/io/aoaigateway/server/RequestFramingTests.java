package io.aoaigateway.server;

import io.aoaigateway.support.AzureError;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;

import static org.assertj.core.api.Assertions.assertThat;

class RequestFramingTests {

	@Test
	void checkWhenChunkedAloneThenSound() {
		assertThat(check(headers().add("Transfer-Encoding", "chunked"))).isNull();
		assertThat(check(headers().add("Transfer-Encoding", "Chunked , "))).isNull();
	}

	@Test
	void checkWhenContentLengthAloneThenSound() {
		assertThat(check(headers().add("Content-Length", "12"))).isNull();
		assertThat(check(headers().add("Content-Length", "12, 12"))).isNull();
		assertThat(check(headers())).isNull();
	}

	@Test
	void checkWhenFinalCodingIsNotChunkedThen400() {
		assertThat(status(headers().add("Transfer-Encoding", "chunked").add("Transfer-Encoding", "identity")))
			.isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(status(headers().add("Transfer-Encoding", "chunked, gzip"))).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(status(headers().add("Transfer-Encoding", ","))).isEqualTo(HttpStatus.BAD_REQUEST);
	}

	@Test
	void checkWhenChunkedTwiceThen400() {
		assertThat(status(headers().add("Transfer-Encoding", "chunked, chunked"))).isEqualTo(HttpStatus.BAD_REQUEST);
	}

	@Test
	void checkWhenContentLengthAlongsideThen400() {
		assertThat(status(headers().add("Transfer-Encoding", "chunked").add("Content-Length", "3")))
			.isEqualTo(HttpStatus.BAD_REQUEST);
	}

	@Test
	void checkWhenOtherCodingBeforeChunkedThen501() {
		assertThat(status(headers().add("Transfer-Encoding", "gzip;q=1, chunked")))
			.isEqualTo(HttpStatus.NOT_IMPLEMENTED);
	}

	@Test
	void checkWhenTransferEncodingInHttp10Then400() {
		AzureError error = RequestFraming.check(HttpVersion.HTTP_1_0, headers().add("Transfer-Encoding", "chunked"));

		assertThat(error).isNotNull();
		assertThat(error.status()).isEqualTo(HttpStatus.BAD_REQUEST);
	}

	@Test
	void checkWhenContentLengthsDifferOrAreNotNumbersThen400() {
		assertThat(status(headers().add("Content-Length", "3").add("Content-Length", "4")))
			.isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(status(headers().add("Content-Length", "3, 4"))).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(status(headers().add("Content-Length", "-3"))).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(status(headers().add("Content-Length", "0x3"))).isEqualTo(HttpStatus.BAD_REQUEST);
	}

	private static HttpHeaders headers() {
		return new DefaultHttpHeaders();
	}

	private static AzureError check(HttpHeaders headers) {
		return RequestFraming.check(HttpVersion.HTTP_1_1, headers);
	}

	private static HttpStatus status(HttpHeaders headers) {
		AzureError error = check(headers);
		assertThat(error).isNotNull();
		assertThat(error.message()).isNotBlank();
		return error.status();
	}

}
