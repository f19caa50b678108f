/**
 * What making an upload visible at commit costs on LocalStack, per file size: a PUT to a staging
 * key then a server-side copy into place and a delete (what Tukang does), against a multipart
 * upload completed at commit (what Flink's S3 writer does). Not part of the tests.
 * Run with the stack up, under the stack lock: node bench/staging-cost.mjs
 */
import { S3Client, PutObjectCommand, CopyObjectCommand, DeleteObjectCommand, CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand, CreateBucketCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
const c = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4566', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const Bucket = 'tukang-bench-staging';
await c.send(new CreateBucketCommand({ Bucket })).catch(() => {});
const now = () => Number(process.hrtime.bigint()) / 1e6;
const med = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const size of [64 * 1024, 1 << 20, 8 << 20, 32 << 20, 128 << 20]) {
  const body = randomBytes(size);
  const reps = size > (16 << 20) ? 3 : 7;
  const r = { put: [], copyCommit: [], mpuUpload: [], mpuCommit: [] };
  for (let i = 0; i < reps; i++) {
    let t = now();
    await c.send(new PutObjectCommand({ Bucket, Key: `_staging/s${i}`, Body: body }));
    r.put.push(now() - t);
    t = now();
    await c.send(new CopyObjectCommand({ Bucket, Key: `final/s${i}`, CopySource: `${Bucket}/_staging/s${i}` }));
    await c.send(new DeleteObjectCommand({ Bucket, Key: `_staging/s${i}` }));
    r.copyCommit.push(now() - t);
    t = now();
    const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket, Key: `final/m${i}` }));
    const part = await c.send(new UploadPartCommand({ Bucket, Key: `final/m${i}`, UploadId, PartNumber: 1, Body: body }));
    r.mpuUpload.push(now() - t);
    t = now();
    await c.send(new CompleteMultipartUploadCommand({ Bucket, Key: `final/m${i}`, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    r.mpuCommit.push(now() - t);
  }
  console.log(JSON.stringify({ size_mib: +(size / 1048576).toFixed(3), put_ms: med(r.put).toFixed(1), staging_commit_copy_delete_ms: med(r.copyCommit).toFixed(1), mpu_create_upload_ms: med(r.mpuUpload).toFixed(1), mpu_commit_complete_ms: med(r.mpuCommit).toFixed(1) }));
}
