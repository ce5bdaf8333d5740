/**
 * Base models named by Hugging Face Hub id ({@code hf://org/name@revision} or a bare {@code org/name}
 * that is not a local folder), downloaded into the same cache layout Python's {@code huggingface_hub}
 * uses ({@code models--org--name/blobs|snapshots|refs} under {@code HF_HUB_CACHE}), so a model fetched
 * by either tool is found by the other. {@link org.lorafleet.orchestrator.hub.HubClient#snapshot}
 * resolves the revision to a commit, fetches only the files a run needs (config, tokenizer,
 * safetensors weights), resumes partial downloads, checks LFS files' SHA-256 and honours
 * {@code HF_TOKEN}, {@code HF_ENDPOINT} and {@code HF_HUB_OFFLINE}
 * ({@link org.lorafleet.orchestrator.hub.HubEnvironment}).
 *
 * <p>Where each part lives: {@code HubClient} decides what a snapshot needs and puts it in the cache;
 * {@code HubHttp} sends the requests (token, redirects, the Hub's error answers); {@code BlobDownload}
 * moves one file's bytes (resume, retry, size and SHA-256 checks) and {@code DownloadProgress} draws its
 * progress line; {@code HubCache} is the on-disk layout and its locks.
 */
package org.lorafleet.orchestrator.hub;
