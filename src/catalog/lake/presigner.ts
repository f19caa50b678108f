import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/** Makes time-limited HTTPS download URLs for lake objects. */
export interface Presigner {
  presign(key: string): Promise<string>;
}

export class S3Presigner implements Presigner {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly expirySeconds: number,
  ) {}

  presign(key: string): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: this.expirySeconds });
  }
}
